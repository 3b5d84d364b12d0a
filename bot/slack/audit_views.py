"""The audit form modal: its steps built from the form's spec, and what was typed read back.

Slack modals hold 100 blocks and a trigger id lasts 3 seconds, so the form opens as a loading
view and is filled with views.update; it is split into steps (pages of domains, then the overall
grade and feedback, then actions), each moved on with `response_action: update` after the
server saved the draft, so private_metadata carries only the audit id and the step.

Actions: a fixed number of slots (ACTION_SLOTS, 5), not an "Add action" button. Every slot is in
each submission, so one round trip validates them all; there is no extra views.update racing
the typing (or the view's hash) between a click and a submission; and five slots of four
inputs keep the step at about 25 blocks. A slot counts once its "what" is filled in (its owner
and due date come pre-filled with the defaults), so unused slots are simply left empty.
"""

from __future__ import annotations

from typing import Any

from bot.domain.audit_fields import (
    ACTION_SLOTS,
    ACTIONS,
    CHILD_FEEDBACK,
    CONCERN,
    OVERALL,
    OVERALL_GRADE,
    PRACTITIONER_FEEDBACK,
    RATIONALE,
    URGENT,
    WITH_PRACTITIONER,
    action_field,
    comment_field,
    grade_field,
    label,
)
from bot.domain.audit_form import ActionAnswer, AuditAnswers, DomainAnswer
from bot.services.audits.drafts import FormContext
from bot.services.audits.submit import SubmitOutcome
from bot.slack import form_blocks as fb
from bot.slack.ids import Action, View

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _heading(ctx: FormContext) -> dict[str, Any]:
    subject = ctx.subject
    worker = f" · worker {subject.worker_name}" if subject.worker_name else ""
    return fb.context(
        f"*{subject.title}* · {subject.team}{worker} · {ctx.kind_label} · {ctx.cycle_name}\n"
        f"Look back {ctx.lookback_months} months · due {ctx.audit_due:%d %B %Y} · "
        f"{fb.PRIVACY_HINT} Closing the form keeps a draft.")


def _grades(ctx: FormContext) -> list[tuple[str, str]]:
    return [(g, label(g)) for g in ctx.spec.scale.grades]


def _domain_blocks(ctx: FormContext, step: str) -> list[dict[str, Any]]:
    blocks = []
    for domain in ctx.spec.page_domains(step):
        answer = ctx.answers.domains.get(domain, DomainAnswer())
        blocks.append(fb.select_block(grade_field(domain), label(domain), _grades(ctx),
                                      answer.grade))
        blocks.append(fb.text_block(comment_field(domain), f"{label(domain)}: comment",
                                    answer.comment))
    return blocks


def _overall_blocks(ctx: FormContext) -> list[dict[str, Any]]:
    a = ctx.answers
    blocks = []
    if ctx.spec.overall_enabled:
        blocks += [fb.select_block(OVERALL_GRADE, "Overall grade", _grades(ctx), a.overall_grade),
                   fb.text_block(RATIONALE, "Why this overall grade (rationale)", a.rationale,
                                 optional=False)]
    else:
        blocks.append(fb.context("Your authority gives no overall grade: the audit's grade is "
                                 "its lowest domain grade."))
    return blocks + [
        fb.text_block(CHILD_FEEDBACK, "Feedback from the child, young person, family or carer",
                      a.child_feedback),
        fb.text_block(PRACTITIONER_FEEDBACK, "Feedback from the practitioner",
                      a.practitioner_feedback),
        fb.radio_block(WITH_PRACTITIONER, "Was the audit done with the practitioner?", YES_NO,
                       _yes_no(a.with_practitioner)),
        fb.radio_block(URGENT, "Is there an urgent concern?", YES_NO, _yes_no(a.urgent_concern),
                       hint="Yes opens an urgent Practice Alert to the team manager at once."),
        fb.text_block(CONCERN, "The urgent concern", a.concern,
                      hint=f"Needed if there is an urgent concern. {fb.PRIVACY_HINT}"),
    ]


def _action_blocks(ctx: FormContext) -> list[dict[str, Any]]:
    blocks = [fb.context(
        "Actions: what must be done, by whom, by when. At least one is needed when the grade "
        f"is below Good. Fill in as many slots as you need (up to {ACTION_SLOTS}); a slot "
        "whose first field is empty is left out.")]
    saved = ctx.answers.actions
    for slot in range(1, ACTION_SLOTS + 1):
        action = saved[slot - 1] if slot <= len(saved) else None
        blocks += [
            fb.text_block(action_field(slot, "what"), f"Action {slot}: what must be done",
                          action.what if action else "", multiline=False),
            fb.user_block(action_field(slot, "owner"), f"Action {slot}: owner",
                          action.owner if action else ctx.subject.worker_slack_id,
                          hint="The allocated worker unless you choose someone else."),
            fb.date_block(action_field(slot, "due"), f"Action {slot}: due",
                          action.due if action else ctx.default_due),
            fb.tick_block(action_field(slot, "good"), f"Action {slot}: needed for Good",
                          "Needed to reach Good", action.needed_for_good if action else False),
        ]
    return blocks


def form_view(ctx: FormContext, step: str, *, home: bool = False) -> dict[str, Any]:
    """One step of the audit form, with everything saved so far filled in."""
    steps = ctx.spec.steps()
    if step == OVERALL:
        body = _overall_blocks(ctx)
    elif step == ACTIONS:
        body = _action_blocks(ctx)
    else:
        body = _domain_blocks(ctx, step)
    footer = [fb.button_row("draft", [("Save draft", Action.AUDIT_SAVE_DRAFT,
                                       str(ctx.audit_id))])]
    if ctx.saved_at:
        footer.append(fb.context(f":white_check_mark: Draft saved at {ctx.saved_at}."))
    meta = fb.FormMeta(audit_id=ctx.audit_id, step=step, home=home)
    return fb.modal(View.AUDIT_FORM, f"Audit: step {steps.index(step) + 1} of {len(steps)}",
                    meta, [_heading(ctx), *body, *footer],
                    "Submit audit" if step == ACTIONS else "Next")


def read_answers(values: dict[str, Any]) -> AuditAnswers:
    """Whatever the view holds, as answers (the service keeps only the step's own fields)."""
    domains: dict[str, DomainAnswer] = {}
    for block_id in values:
        kind, _, domain = str(block_id).partition(":")
        if kind in ("grade", "comment") and domain and domain not in domains:
            domains[domain] = DomainAnswer(grade=fb.read_choice(values, grade_field(domain)),
                                           comment=fb.read_text(values, comment_field(domain)))
    actions = [ActionAnswer(
        what=fb.read_text(values, action_field(slot, "what")),
        owner=fb.read_user(values, action_field(slot, "owner")),
        due=fb.read_date(values, action_field(slot, "due")),
        needed_for_good=fb.read_ticked(values, action_field(slot, "good")),
    ) for slot in range(1, ACTION_SLOTS + 1)]
    return AuditAnswers(
        domains=domains, overall_grade=fb.read_choice(values, OVERALL_GRADE),
        rationale=fb.read_text(values, RATIONALE),
        child_feedback=fb.read_text(values, CHILD_FEEDBACK),
        practitioner_feedback=fb.read_text(values, PRACTITIONER_FEEDBACK),
        with_practitioner=fb.read_yes_no(values, WITH_PRACTITIONER),
        urgent_concern=fb.read_yes_no(values, URGENT), concern=fb.read_text(values, CONCERN),
        actions=actions,
    )


def submitted_view(outcome: SubmitOutcome) -> dict[str, Any]:
    """What the modal says once the audit is in."""
    parts = [f"Your audit of *{outcome.subject}* is submitted"
             + (f", graded *{label(outcome.grade)}*." if outcome.grade else ".")]
    if outcome.actions:
        parts.append(f"{outcome.actions} action{'s' if outcome.actions != 1 else ''} went to "
                     "the actions tracker, and their owners have been told.")
    parts.append("The team manager has the summary."
                 + (" The moderator has been asked to moderate." if outcome.moderated else ""))
    if outcome.alert_reference:
        parts.append(f"Your urgent concern was raised as Practice Alert "
                     f"*{outcome.alert_reference}*; you will be told of every step.")
    if outcome.alert_problem:
        parts.append(f":warning: Your urgent concern could not be raised as a Practice Alert: "
                     f"{outcome.alert_problem} Please raise it with `/practice-alert`.")
    return fb.notice_view("Audit submitted", "\n".join(parts))

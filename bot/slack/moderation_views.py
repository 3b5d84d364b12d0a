"""The moderation modal: blind grading first (by default), then agree or disagree."""

from __future__ import annotations

from typing import Any

from bot.domain.audit_fields import label
from bot.domain.moderation import (
    AGREE,
    GRADE,
    MOD_GRADE,
    MOD_RATIONALE,
    MODERATED_GRADE,
    REASON,
    ModerationAnswers,
)
from bot.services.audits.moderation import ModerationContext, ModerationOutcome
from bot.slack import form_blocks as fb
from bot.slack.ids import Action, View

AGREEMENT = [("agree", "I agree with the auditor's grade"),
             ("disagree", "I disagree: the grade should be different")]


def _what(ctx: ModerationContext) -> str:
    return "overall grade" if ctx.overall_enabled else "grade (its lowest domain grade)"


def _heading(ctx: ModerationContext) -> dict[str, Any]:
    due = f" · moderation due {ctx.moderation_due:%d %B %Y}" if ctx.moderation_due else ""
    return fb.context(f"*{ctx.subject.title}* · {ctx.subject.team} · {ctx.kind_label} · "
                      f"audited by {ctx.auditor_name}{due} · {fb.PRIVACY_HINT}")


def _grades(ctx: ModerationContext) -> list[tuple[str, str]]:
    return [(g, label(g)) for g in ctx.scale.grades]


def _blind_blocks(ctx: ModerationContext) -> list[dict[str, Any]]:
    a = ctx.answers
    return [
        fb.context(f"Grade the audit yourself first, from the case record: the auditor's "
                   f"{_what(ctx)} is shown on the next step."),
        fb.select_block(MOD_GRADE, "Your grade", _grades(ctx), a.grade),
        fb.text_block(MOD_RATIONALE, "Why (rationale)", a.rationale, optional=False),
    ]


def _compare_blocks(ctx: ModerationContext) -> list[dict[str, Any]]:
    a = ctx.answers
    lines = [f"The auditor's {_what(ctx)}: *{label(ctx.auditor_grade)}*."]
    if ctx.blind and a.grade:
        lines.append(f"Your own grade, given blind: *{label(a.grade)}*.")
    agree = None if a.agree is None else ("agree" if a.agree else "disagree")
    return [
        fb.context("\n".join(lines)),
        fb.radio_block(AGREE, "Do you agree?", AGREEMENT, agree),
        fb.select_block(MODERATED_GRADE, "Moderated grade", _grades(ctx), a.moderated_grade,
                        optional=True, hint="Needed if you disagree: it becomes the final grade."),
        fb.text_block(REASON, "Why you disagree", a.reason,
                      hint=f"Needed if you disagree. {fb.PRIVACY_HINT}"),
    ]


def moderation_view(ctx: ModerationContext, step: str, *, home: bool = False) -> dict[str, Any]:
    """One step of the moderation form, with the draft filled in."""
    steps = ctx.steps
    body = _blind_blocks(ctx) if step == GRADE else _compare_blocks(ctx)
    footer = [fb.button_row("draft", [("Save draft", Action.MODERATION_SAVE_DRAFT,
                                       str(ctx.audit_id))])]
    if ctx.saved_at:
        footer.append(fb.context(f":white_check_mark: Draft saved at {ctx.saved_at}."))
    title = "Moderate" + (f": step {steps.index(step) + 1} of {len(steps)}"
                          if len(steps) > 1 else "")
    return fb.modal(View.MODERATION_FORM, title,
                    fb.FormMeta(audit_id=ctx.audit_id, step=step, home=home),
                    [_heading(ctx), *body, *footer],
                    "Next" if step == GRADE else "Submit moderation")


def read_moderation(values: dict[str, Any]) -> ModerationAnswers:
    """What the moderation view holds, as answers."""
    choice = fb.read_choice(values, AGREE)
    return ModerationAnswers(
        grade=fb.read_choice(values, MOD_GRADE), rationale=fb.read_text(values, MOD_RATIONALE),
        agree={"agree": True, "disagree": False}.get(choice or ""),
        moderated_grade=fb.read_choice(values, MODERATED_GRADE),
        reason=fb.read_text(values, REASON),
    )


def moderated_view(outcome: ModerationOutcome) -> dict[str, Any]:
    """What the modal says once the moderation is recorded."""
    if outcome.agreed:
        text = (f"Moderation of *{outcome.subject}* recorded: you agreed with the auditor. The "
                f"final grade is *{label(outcome.grade)}*.")
    else:
        text = (f"Moderation of *{outcome.subject}* recorded: the final grade is "
                f"*{label(outcome.grade)}*. You and the auditor have both been told of the "
                "disagreement and asked to discuss it.")
    return fb.notice_view("Moderation recorded", text)

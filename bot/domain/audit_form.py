"""The audit form (PRODUCT.md section 3): its steps, the answers, and the rules they obey.

Pure: no Slack, no SQL, and `today` is a parameter. Errors are keyed by field, and the field
keys are the modal's block ids, so each error is shown at its field (`response_action: errors`).
Nothing here assumes four grades: every question about a grade is asked of the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.allocation.sampling import add_months
from bot.domain.audit_fields import (
    ACTION_SLOTS,
    ACTIONS,
    CHILD_FEEDBACK,
    CONCERN,
    DOMAINS,
    DOMAINS_PER_PAGE,
    MAX_TEXT,
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
from bot.domain.grading_scale import GradingScale
from bot.domain.rule_settings import RuleSettings
from bot.domain.working_time import WorkingCalendar


# ------------------------------------------------------------------------------ the spec
@dataclass(frozen=True)
class FormSpec:
    """What the form asks for one kind of audit in one authority (from its settings)."""

    kind: str
    domains: tuple[str, ...]
    scale: GradingScale
    overall_enabled: bool
    action_due_months: int

    def steps(self) -> tuple[str, ...]:
        """The steps in order: pages of domains, then overall and feedback, then actions."""
        pages = max(1, -(-len(self.domains) // DOMAINS_PER_PAGE))
        names = [DOMAINS if i == 0 else f"{DOMAINS}-{i + 1}" for i in range(pages)]
        return (*names, OVERALL, ACTIONS)

    def page_domains(self, step: str) -> tuple[str, ...]:
        """The domains a domains step asks about (none for the other steps)."""
        if not step.startswith(DOMAINS):
            return ()
        page = 0 if step == DOMAINS else int(step.rsplit("-", 1)[1]) - 1
        return self.domains[page * DOMAINS_PER_PAGE : (page + 1) * DOMAINS_PER_PAGE]

    def next_step(self, step: str) -> str | None:
        """The step after `step`, or None after the last."""
        steps = self.steps()
        index = steps.index(step) + 1
        return steps[index] if index < len(steps) else None


def form_spec(kind: str, settings: RuleSettings) -> FormSpec:
    """The form of a kind of cycle under an authority's settings."""
    domains = {
        "case_file": settings.case_file_domains,
        "thematic": settings.thematic_domains,
        "supervision_file": settings.supervision_file_domains,
        "practice_observation": settings.practice_observation_domains,
    }[kind]
    return FormSpec(kind=kind, domains=tuple(domains), scale=settings.grading_scale,
                    overall_enabled=settings.overall_grade_enabled,
                    action_due_months=settings.action_due_months)


def default_due(calendar: WorkingCalendar, submitted_on: date, months: int) -> date:
    """An action's default due date: `months` after submission, on a working day."""
    return calendar.working_day_on_or_after(add_months(submitted_on, months))


# ------------------------------------------------------------------------------ the answers
class DomainAnswer(BaseModel):
    """A domain's grade and optional comment."""

    model_config = ConfigDict(extra="ignore")
    grade: str | None = None
    comment: str = ""


class ActionAnswer(BaseModel):
    """One action slot as typed; `owner` is a Slack user id the service resolves."""

    model_config = ConfigDict(extra="ignore")
    what: str = ""
    owner: str | None = None
    due: date | None = None
    needed_for_good: bool = False

    def is_used(self) -> bool:
        """A slot is an action once something is said (owner and due come pre-filled)."""
        return bool(self.what.strip()) or self.needed_for_good


class StoredAnswers(BaseModel):
    """A form's answers as stored (a draft or a record), read back leniently."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def from_json(cls, data: str | None) -> Self:
        """A stored form; one that no longer reads (an older shape) starts empty."""
        if not data:
            return cls()
        try:
            return cls.model_validate_json(data)
        except ValidationError:
            return cls()


class AuditAnswers(StoredAnswers):
    """Everything the form asks, as typed: a draft until submitted, then the record."""

    domains: dict[str, DomainAnswer] = {}
    overall_grade: str | None = None
    rationale: str = ""
    child_feedback: str = ""
    practitioner_feedback: str = ""
    with_practitioner: bool | None = None
    urgent_concern: bool | None = None
    concern: str = ""
    actions: list[ActionAnswer] = []

    def used_actions(self) -> list[ActionAnswer]:
        """The slots that hold an action, in slot order."""
        return [a for a in self.actions if a.is_used()]


_OVERALL_FIELDS = ("overall_grade", "rationale", "child_feedback", "practitioner_feedback",
                   "with_practitioner", "urgent_concern", "concern")


def merge_step(spec: FormSpec, draft: AuditAnswers, step: str, typed: AuditAnswers) -> AuditAnswers:
    """The draft with one step's fields replaced by what was typed in that step."""
    if step == OVERALL:
        return draft.model_copy(update={f: getattr(typed, f) for f in _OVERALL_FIELDS})
    if step == ACTIONS:
        return draft.model_copy(update={"actions": typed.actions[:ACTION_SLOTS]})
    page = spec.page_domains(step)
    domains = dict(draft.domains)
    domains.update({d: typed.domains.get(d, DomainAnswer()) for d in page})
    return draft.model_copy(update={"domains": domains})


# ------------------------------------------------------------------------------ the rules
def headline_grade(spec: FormSpec, answers: AuditAnswers) -> str | None:
    """The audit's grade: the overall grade, or with it switched off the lowest domain grade."""
    if spec.overall_enabled:
        grade = answers.overall_grade
        return grade if grade in spec.scale.grades else None
    graded = [a.grade for d, a in answers.domains.items()
              if d in spec.domains and a.grade is not None and a.grade in spec.scale.grades]
    return max(graded, key=spec.scale.rank) if graded else None


def needs_action(spec: FormSpec, answers: AuditAnswers) -> bool:
    """Whether the audit's grade is below Good, so at least one action is needed."""
    grade = headline_grade(spec, answers)
    return grade is not None and spec.scale.is_below_good(grade)


def _text(errors: dict[str, str], field: str, text: str, missing: str | None = None) -> None:
    if missing and not text.strip():
        errors[field] = missing
    elif len(text) > MAX_TEXT:
        errors[field] = f"Please keep this under {MAX_TEXT} characters."


def _grade(errors: dict[str, str], field: str, grade: str | None, scale: GradingScale,
           what: str) -> None:
    if grade is None:
        errors[field] = f"Choose a grade for {what}."
    elif grade not in scale.grades:
        errors[field] = f"{label(grade)} is not a grade on your authority's scale."


def step_errors(spec: FormSpec, step: str, answers: AuditAnswers, today: date) -> dict[str, str]:
    """What is wrong with one step's fields (`answers` is the whole form, merged)."""
    errors: dict[str, str] = {}
    if step == OVERALL:
        if spec.overall_enabled:
            _grade(errors, OVERALL_GRADE, answers.overall_grade, spec.scale, "the audit overall")
            _text(errors, RATIONALE, answers.rationale,
                  "Say why: the overall grade needs a rationale.")
        _text(errors, CHILD_FEEDBACK, answers.child_feedback)
        _text(errors, PRACTITIONER_FEEDBACK, answers.practitioner_feedback)
        if answers.with_practitioner is None:
            errors[WITH_PRACTITIONER] = "Say whether the audit was done with the practitioner."
        if answers.urgent_concern is None:
            errors[URGENT] = "Say whether there is an urgent concern."
        _text(errors, CONCERN, answers.concern,
              "Say what the urgent concern is." if answers.urgent_concern else None)
    elif step == ACTIONS:
        errors.update(_action_errors(spec, answers, today))
    else:
        for domain in spec.page_domains(step):
            answer = answers.domains.get(domain, DomainAnswer())
            _grade(errors, grade_field(domain), answer.grade, spec.scale, label(domain))
            _text(errors, comment_field(domain), answer.comment)
    return errors


def _action_errors(spec: FormSpec, answers: AuditAnswers, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(answers.actions) > ACTION_SLOTS:
        errors[action_field(1, "what")] = f"At most {ACTION_SLOTS} actions can be given."
        return errors
    for slot, action in enumerate(answers.actions, start=1):
        if not action.is_used():
            continue
        _text(errors, action_field(slot, "what"), action.what, "Say what must be done.")
        if not action.owner:
            errors[action_field(slot, "owner")] = "Choose who owns this action."
        if action.due is None:
            errors[action_field(slot, "due")] = "Choose a due date."
        elif action.due < today:
            errors[action_field(slot, "due")] = "The due date must be today or later."
    if needs_action(spec, answers) and not answers.used_actions():
        grade = headline_grade(spec, answers) or ""
        errors.setdefault(action_field(1, "what"), (
            f"The grade is {label(grade)}, below Good: add at least one action."))
    return errors


def form_errors(spec: FormSpec, answers: AuditAnswers, today: date) -> dict[str, str]:
    """Everything wrong with the whole form, step by step (empty when it may be submitted)."""
    errors: dict[str, str] = {}
    for step in spec.steps():
        errors.update(step_errors(spec, step, answers, today))
    return errors


def step_of_field(spec: FormSpec, field: str) -> str:
    """The step a field is asked in."""
    if field.startswith("action:"):
        return ACTIONS
    if field.startswith(("grade:", "comment:")):
        domain = field.split(":", 1)[1]
        for step in spec.steps():
            if domain in spec.page_domains(step):
                return step
    return OVERALL


EARLIER = "An earlier step needs attention (close the form and open it again to change it): "


def errors_for_step(spec: FormSpec, step: str, errors: dict[str, str]) -> dict[str, str]:
    """Errors the step can show: its own at their fields, any other step's on its first field.

    (Only a changed setting or a crafted payload can leave an earlier step wrong.)
    """
    shown = {k: v for k, v in errors.items() if step_of_field(spec, k) == step}
    elsewhere = [v for k, v in errors.items() if step_of_field(spec, k) != step]
    if elsewhere:
        first = first_field(spec, step)
        shown[first] = " ".join([shown.get(first, ""), EARLIER, *elsewhere]).strip()
    return shown


def first_field(spec: FormSpec, step: str) -> str:
    """The first field a step asks."""
    if step == ACTIONS:
        return action_field(1, "what")
    if step == OVERALL:
        return OVERALL_GRADE if spec.overall_enabled else CHILD_FEEDBACK
    return grade_field(spec.page_domains(step)[0])

"""Moderation (PRODUCT.md section 3): blind grading, then agree, or disagree with a reason.

Pure rules. Blind by default (the setting moderation_blind): the first step asks for the
moderator's own grade and rationale, and only the second shows the auditor's grade. The
moderated grade is the final grade: the auditor's when the moderator agrees, else theirs.
"""

from __future__ import annotations

from bot.domain.audit_fields import MAX_TEXT, label
from bot.domain.audit_form import StoredAnswers
from bot.domain.grading_scale import GradingScale

GRADE, COMPARE = "grade", "compare"
# Fields (the modal's block ids).
MOD_GRADE, MOD_RATIONALE, AGREE, MODERATED_GRADE, REASON = (
    "mod_grade", "mod_rationale", "agree", "moderated_grade", "reason")


class ModerationAnswers(StoredAnswers):
    """What the moderator typed: their blind grade, then agreement and the moderated grade."""

    grade: str | None = None  # given blind, before the auditor's grade is shown
    rationale: str = ""
    agree: bool | None = None
    moderated_grade: str | None = None
    reason: str = ""
    revealed: bool = False  # the auditor's grade has been shown: the blind grade is final


def steps(blind: bool) -> tuple[str, ...]:
    """The moderation steps: blind grading first when blind."""
    return (GRADE, COMPARE) if blind else (COMPARE,)


def opening_step(blind: bool, draft: ModerationAnswers) -> str:
    """Where the modal opens: once the auditor's grade has been shown, never blind again."""
    return COMPARE if draft.revealed or not blind else GRADE


def reveal(answers: ModerationAnswers) -> ModerationAnswers:
    """The answers once the blind step is done: the auditor's grade may now be shown."""
    return answers.model_copy(update={"revealed": True})


def merge_step(draft: ModerationAnswers, step: str, typed: ModerationAnswers) -> ModerationAnswers:
    """The draft with one step's fields replaced by what was typed in it.

    The blind grade cannot change once the auditor's grade has been shown: that would make
    the blind grading meaningless.
    """
    if step == GRADE and draft.revealed:
        return draft
    fields = ("grade", "rationale") if step == GRADE else ("agree", "moderated_grade", "reason")
    merged = draft.model_copy(update={f: getattr(typed, f) for f in fields})
    if step == GRADE:  # not yet revealed, so the comparison has not been answered
        merged.moderated_grade = merged.grade  # the blind grade is the proposal to compare
    return merged


def _long(errors: dict[str, str], field: str, text: str) -> None:
    if len(text) > MAX_TEXT:
        errors[field] = f"Please keep this under {MAX_TEXT} characters."


def step_errors(step: str, answers: ModerationAnswers, scale: GradingScale,
                auditor_grade: str) -> dict[str, str]:
    """What is wrong with one moderation step's fields."""
    errors: dict[str, str] = {}
    if step == GRADE:
        if answers.grade is None:
            errors[MOD_GRADE] = "Choose your grade."
        elif answers.grade not in scale.grades:
            errors[MOD_GRADE] = f"{label(answers.grade)} is not a grade on your authority's scale."
        if not answers.rationale.strip():
            errors[MOD_RATIONALE] = "Say why: your grade needs a rationale."
        _long(errors, MOD_RATIONALE, answers.rationale)
        return errors
    if answers.agree is None:
        errors[AGREE] = "Say whether you agree with the auditor's grade."
    elif not answers.agree:
        grade = answers.moderated_grade
        if grade is None:
            errors[MODERATED_GRADE] = "Choose the moderated grade."
        elif grade not in scale.grades:
            errors[MODERATED_GRADE] = f"{label(grade)} is not a grade on your authority's scale."
        elif grade == auditor_grade:
            errors[MODERATED_GRADE] = (f"{label(grade)} is the auditor's grade: choose Agree, "
                                       "or a different grade.")
        if not answers.reason.strip():
            errors[REASON] = "Say why you disagree."
    _long(errors, REASON, answers.reason)
    return errors


def form_errors(blind: bool, answers: ModerationAnswers, scale: GradingScale,
                auditor_grade: str) -> dict[str, str]:
    """Everything wrong with the whole moderation."""
    errors: dict[str, str] = {}
    for step in steps(blind):
        errors.update(step_errors(step, answers, scale, auditor_grade))
    return errors


def errors_for_step(step: str, errors: dict[str, str]) -> dict[str, str]:
    """Errors the step can show: any of the blind step's go on the comparison's first field."""
    own = (MOD_GRADE, MOD_RATIONALE) if step == GRADE else (AGREE, MODERATED_GRADE, REASON)
    shown = {k: v for k, v in errors.items() if k in own}
    elsewhere = [v for k, v in errors.items() if k not in own]
    if elsewhere:
        shown[own[0]] = " ".join([shown.get(own[0], ""), *elsewhere]).strip()
    return shown


def outcome(answers: ModerationAnswers, auditor_grade: str) -> tuple[str, bool]:
    """The final grade and whether the moderator agreed (answers already checked)."""
    if answers.agree:
        return auditor_grade, True
    assert answers.moderated_grade is not None
    return answers.moderated_grade, False

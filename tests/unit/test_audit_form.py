"""The audit form's rules, on the default Ofsted scale and on authorities' own scales."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from bot.domain import moderation as mod
from bot.domain.audit_fields import ACTION_SLOTS, ACTIONS, DOMAINS, OVERALL, label
from bot.domain.audit_form import (
    ActionAnswer,
    AuditAnswers,
    DomainAnswer,
    FormSpec,
    default_due,
    errors_for_step,
    form_errors,
    form_spec,
    headline_grade,
    merge_step,
    needs_action,
    step_errors,
)
from bot.domain.grading_scale import GradingScale
from bot.domain.rule_settings import settings_from
from bot.domain.working_time import WorkingCalendar

TODAY = date(2026, 11, 23)
DEFAULT = form_spec("case_file", settings_from({}))
THREE = GradingScale(grades=("effective", "developing", "ineffective"),
                     below_good=("developing", "ineffective"), inadequate="ineffective")
THREE_SPEC = form_spec("case_file", settings_from({"grading_scale": THREE}))


def answers(spec: FormSpec = DEFAULT, grade: str = "good", *, overall: str | None = None,
            actions: list[ActionAnswer] | None = None, **changes: object) -> AuditAnswers:
    """A complete form with every domain graded `grade`."""
    base = AuditAnswers(
        domains={d: DomainAnswer(grade=grade, comment="") for d in spec.domains},
        overall_grade=overall or grade, rationale="Synthetic rationale.",
        with_practitioner=True, urgent_concern=False, actions=actions or [],
    )
    return base.model_copy(update=changes)


def action(what: str = "Synthetic: update the plan", owner: str | None = "UPR",
           due: date | None = date(2026, 12, 23), good: bool = False) -> ActionAnswer:
    return ActionAnswer(what=what, owner=owner, due=due, needed_for_good=good)


def test_case_file_audits_ask_the_six_domains_in_three_steps() -> None:
    assert DEFAULT.domains == ("child_voice", "assessment", "planning", "chronology",
                               "management_oversight", "parent_engagement")
    assert [label(d) for d in DEFAULT.domains] == [
        "The child's voice", "Quality of assessment", "Quality of planning",
        "Use of chronology", "Management grip and supervision", "Parent/carer engagement"]
    assert DEFAULT.steps() == (DOMAINS, OVERALL, ACTIONS)
    assert DEFAULT.next_step(DOMAINS) == OVERALL and DEFAULT.next_step(ACTIONS) is None


def test_each_kind_takes_its_domains_from_its_setting() -> None:
    settings = settings_from({"thematic_domains": ("theme_a", "theme_b")})
    assert form_spec("thematic", settings).domains == ("theme_a", "theme_b")
    assert form_spec("supervision_file", settings).domains[0] == "frequency_and_recording"
    assert form_spec("practice_observation", settings).domains[0] == (
        "relationship_and_communication")
    assert label("theme_a") == "Theme a"  # a key without a known name reads plainly


def test_a_long_domain_list_is_paged_so_no_step_nears_slacks_block_limit() -> None:
    keys = tuple(f"d{i}" for i in range(20))
    spec = form_spec("thematic", settings_from({"thematic_domains": keys}))
    assert spec.steps() == ("domains", "domains-2", "domains-3", OVERALL, ACTIONS)
    assert sum(len(spec.page_domains(s)) for s in spec.steps()) == 20
    assert max(len(spec.page_domains(s)) for s in spec.steps()) == 8


def test_a_complete_good_audit_needs_no_action() -> None:
    assert form_errors(DEFAULT, answers(), TODAY) == {}
    assert not needs_action(DEFAULT, answers())


def test_every_domain_needs_a_grade_on_the_scale() -> None:
    form = answers()
    form.domains["child_voice"] = DomainAnswer(grade=None)
    form.domains["planning"] = DomainAnswer(grade="excellent")
    errors = step_errors(DEFAULT, DOMAINS, form, TODAY)
    assert errors == {"grade:child_voice": "Choose a grade for The child's voice.",
                      "grade:planning": "Excellent is not a grade on your authority's scale."}


def test_the_overall_grade_needs_a_rationale_and_the_yes_no_questions_an_answer() -> None:
    form = answers(rationale="  ", with_practitioner=None, urgent_concern=True, concern="")
    errors = step_errors(DEFAULT, OVERALL, form, TODAY)
    assert set(errors) == {"rationale", "with_practitioner", "concern"}
    assert "rationale" in errors["rationale"]


def test_a_grade_below_good_needs_at_least_one_action() -> None:
    form = answers(grade="requires_improvement")
    assert needs_action(DEFAULT, form)
    assert step_errors(DEFAULT, ACTIONS, form, TODAY) == {
        "action:1:what": "The grade is Requires improvement, below Good: add at least one "
                         "action."}
    assert step_errors(DEFAULT, ACTIONS, answers(grade="requires_improvement",
                                                 actions=[action()]), TODAY) == {}


def test_every_action_needs_what_owner_and_a_due_date_not_in_the_past() -> None:
    form = answers(actions=[action(), action(what="", good=True), action(owner=None),
                            action(due=None), action(due=date(2026, 11, 22))])
    assert step_errors(DEFAULT, ACTIONS, form, TODAY) == {
        "action:2:what": "Say what must be done.",
        "action:3:owner": "Choose who owns this action.",
        "action:4:due": "Choose a due date.",
        "action:5:due": "The due date must be today or later.",
    }
    # A slot with only its pre-filled owner and due date is not an action.
    assert step_errors(DEFAULT, ACTIONS, answers(actions=[action(what="")]), TODAY) == {}
    assert len(answers(actions=[action()] * (ACTION_SLOTS + 1)).actions) > ACTION_SLOTS
    assert "At most" in step_errors(
        DEFAULT, ACTIONS, answers(actions=[action()] * (ACTION_SLOTS + 1)), TODAY
    )["action:1:what"]


def test_text_longer_than_slack_allows_is_refused_at_its_field() -> None:
    form = answers(child_feedback="x" * 3001)
    assert "3000" in step_errors(DEFAULT, OVERALL, form, TODAY)["child_feedback"]


def test_a_custom_three_grade_scale_is_asked_not_assumed() -> None:
    assert THREE_SPEC.scale.grades == ("effective", "developing", "ineffective")
    assert form_errors(THREE_SPEC, answers(THREE_SPEC, "effective"), TODAY) == {}
    # The Ofsted grades mean nothing on this scale.
    errors = form_errors(THREE_SPEC, answers(THREE_SPEC, "effective", overall="good"), TODAY)
    assert errors == {"overall_grade": "Good is not a grade on your authority's scale."}
    developing = answers(THREE_SPEC, "developing")
    assert needs_action(THREE_SPEC, developing)
    assert "Developing, below Good" in form_errors(THREE_SPEC, developing, TODAY)[
        "action:1:what"]
    assert THREE_SPEC.scale.is_inadequate(headline_grade(THREE_SPEC, answers(
        THREE_SPEC, "ineffective", actions=[action()])) or "")


def test_with_the_overall_grade_off_the_lowest_domain_grade_counts() -> None:
    spec = form_spec("case_file", settings_from({"overall_grade_enabled": False,
                                                 "grading_scale": THREE}))
    form = answers(spec, "effective", overall=None, rationale="")
    form.domains["chronology"] = DomainAnswer(grade="ineffective")
    assert step_errors(spec, OVERALL, form, TODAY) == {}  # no overall grade, no rationale
    assert headline_grade(spec, form) == "ineffective"
    assert form_errors(spec, form, TODAY) == {
        "action:1:what": "The grade is Ineffective, below Good: add at least one action."}


def test_merging_a_step_keeps_the_other_steps_of_the_draft() -> None:
    draft = answers(grade="good", rationale="Synthetic: kept.")
    typed = AuditAnswers(domains={"child_voice": DomainAnswer(grade="inadequate",
                                                              comment="Synthetic")})
    merged = merge_step(DEFAULT, draft, DOMAINS, typed)
    assert merged.domains["child_voice"].grade == "inadequate"
    assert merged.domains["planning"].grade is None  # on the step, but not typed: cleared
    assert merged.rationale == "Synthetic: kept."
    paged = form_spec("thematic", settings_from({
        "thematic_domains": tuple(f"d{i}" for i in range(10))}))
    draft = answers(paged, "good")
    merged = merge_step(paged, draft, "domains-2", AuditAnswers(domains={
        "d8": DomainAnswer(grade="inadequate")}))
    assert [merged.domains[f"d{i}"].grade for i in (0, 7, 8, 9)] == [
        "good", "good", "inadequate", None]
    assert merge_step(DEFAULT, merged, ACTIONS, answers(actions=[action()])).actions == [
        action()]


def test_errors_of_an_earlier_step_are_shown_on_the_current_steps_first_field() -> None:
    errors = {"grade:planning": "Choose a grade for Quality of planning.",
              "action:2:due": "Choose a due date."}
    shown = errors_for_step(DEFAULT, ACTIONS, errors)
    assert shown["action:2:due"] == "Choose a due date."
    assert "earlier step" in shown["action:1:what"]
    assert "Quality of planning" in shown["action:1:what"]


@pytest.mark.parametrize(("submitted", "due"), [
    (date(2026, 11, 23), date(2026, 12, 23)),  # a Wednesday: as it is
    (date(2026, 11, 25), date(2026, 12, 29)),  # Christmas, a weekend, the Boxing Day holiday
    (date(2026, 1, 31), date(2026, 3, 2)),  # clamped to 28 February, a Saturday
])
def test_an_actions_default_due_date_is_a_month_on_moved_to_a_working_day(
        submitted: date, due: date) -> None:
    assert default_due(WorkingCalendar(), submitted, 1) == due


# ------------------------------------------------------------------------------ moderation
def test_blind_moderation_grades_first_then_compares() -> None:
    assert mod.steps(True) == (mod.GRADE, mod.COMPARE) and mod.steps(False) == (mod.COMPARE,)
    typed = mod.ModerationAnswers(grade="inadequate", rationale="")
    draft = mod.merge_step(mod.ModerationAnswers(), mod.GRADE, typed)
    assert mod.step_errors(mod.GRADE, draft, THREE, "developing") == {
        "mod_grade": "Inadequate is not a grade on your authority's scale.",
        "mod_rationale": "Say why: your grade needs a rationale."}
    draft = mod.merge_step(draft, mod.GRADE, mod.ModerationAnswers(grade="ineffective",
                                                                   rationale="Synthetic"))
    assert draft.moderated_grade == "ineffective"  # proposed for the comparison
    assert mod.opening_step(True, draft) == mod.GRADE
    revealed = mod.reveal(draft)
    assert mod.opening_step(True, revealed) == mod.COMPARE
    # Once the auditor's grade has been shown, the blind grade cannot change.
    again = mod.merge_step(revealed, mod.GRADE, mod.ModerationAnswers(grade="effective"))
    assert again.grade == "ineffective"


def test_disagreeing_needs_a_different_grade_and_a_reason() -> None:
    def errors(**typed: object) -> dict[str, str]:
        return mod.step_errors(mod.COMPARE, mod.ModerationAnswers(**typed), THREE, "developing")

    assert set(errors()) == {"agree"}
    assert set(errors(agree=False)) == {"moderated_grade", "reason"}
    assert "auditor's grade" in errors(agree=False, moderated_grade="developing",
                                       reason="x")["moderated_grade"]
    assert errors(agree=False, moderated_grade="ineffective", reason="Synthetic") == {}
    assert errors(agree=True) == {}
    assert mod.outcome(mod.ModerationAnswers(agree=True, moderated_grade="effective"),
                       "developing") == ("developing", True)
    assert mod.outcome(mod.ModerationAnswers(agree=False, moderated_grade="ineffective"),
                       "developing") == ("ineffective", False)


def test_the_form_rules_import_no_framework() -> None:
    root = Path(__file__).resolve().parents[2] / "bot" / "domain"
    banned = ("slack", "sqlalchemy", "sqlmodel", "storage", "handlers", "bot.services",
              "bot.slack")
    for name in ("audit_form.py", "moderation.py"):
        for node in ast.walk(ast.parse((root / name).read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(banned), f"{name}: {node.module}"

"""The rules' settings registry: every key, its default, and how values are read and refused."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.rule_settings import (
    OFSTED_SCALE,
    SETTINGS,
    GradingScale,
    RuleSettingError,
    RuleSettings,
    settings_from,
    spec_for,
)

# The defaults PRODUCT.md names, as the operator types them back.
PRODUCT_DEFAULTS = {
    "working_hours_start": "09:00",
    "working_hours_end": "17:30",
    "timezone": "Europe/London",
    "alert_clock": "working",
    "alert_urgent_ack_hours": "2",
    "alert_urgent_respond_days": "2",
    "alert_standard_ack_days": "1",
    "alert_standard_respond_days": "5",
    "alert_limit_days": "20",
    "reaudit_months": "12",
    "moderation_fraction": "1.0",
    "moderation_blind": "true",
    "overall_grade_enabled": "true",
    "default_cadence": "6-weekly",
    "action_due_months": "1",
    "action_verifier": "team_manager",
    "action_nudge_before_days": "3",
    "action_escalate_tm_days": "5",
    "action_escalate_hos_days": "20",
    "supervision_frequency_weeks": '{"default": 4}',
    "supervision_frequency_weeks_assessed_year": "2",
    "supervision_escalate_days": "10",
    "epdr_review_months": "6",
    "nudge_hours_only": "true",
    "retention_supervision_years": "2",
    "oversight_channel": '""',
    "case_file_domains": '["child_voice", "assessment", "planning", "chronology", '
    '"management_oversight", "parent_engagement"]',
}


def test_every_product_default_is_registered_with_its_value() -> None:
    for key, shown in PRODUCT_DEFAULTS.items():
        assert SETTINGS[key].show(SETTINGS[key].default) == shown, key
    assert {"grading_scale", "supervision_file_domains", "practice_observation_domains"} <= set(
        SETTINGS
    )


def test_every_setting_has_a_description_and_what_it_allows() -> None:
    for spec in SETTINGS.values():
        assert spec.description and "\n" not in spec.description
        assert spec.allowed


@pytest.mark.parametrize("key", list(SETTINGS))
def test_each_default_survives_storing_and_typing_back(key: str) -> None:
    spec = SETTINGS[key]
    assert spec.load(spec.to_json(spec.default)) == spec.default
    assert spec.parse(spec.show(spec.default)) == spec.default


def test_defaults_fill_a_typed_object() -> None:
    settings = RuleSettings()
    assert settings.working_hours_start == time(9, 0)
    assert settings.grading_scale == OFSTED_SCALE
    assert settings.grading_scale.is_below_good("requires_improvement")
    assert not settings.grading_scale.is_below_good("good")
    assert settings.grading_scale.is_inadequate("inadequate")
    assert settings.supervision_frequency_weeks == {"default": 4}
    calendar = settings.calendar()
    assert (calendar.day_start, calendar.day_end, calendar.elapsed) == (
        time(9, 0),
        time(17, 30),
        False,
    )


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("working_hours_start", "08:30", time(8, 30)),
        ("timezone", "Europe/Dublin", "Europe/Dublin"),
        ("alert_clock", "elapsed", "elapsed"),
        ("alert_limit_days", "15", 15),
        ("reaudit_months", "0", 0),
        ("moderation_fraction", "0.25", 0.25),
        ("moderation_fraction", "1", 1.0),
        ("moderation_blind", "false", False),
        ("moderation_blind", "No", False),
        ("default_cadence", "quarterly", "quarterly"),
        ("case_file_domains", '["child_voice", "planning"]', ("child_voice", "planning")),
        ("supervision_frequency_weeks", '{"default": 4, "practitioner": 3}', None),
        ("oversight_channel", "C0123ABCD", "C0123ABCD"),
        ("oversight_channel", '""', ""),
        ("action_verifier", "auditor", "auditor"),
    ],
)
def test_values_typed_by_an_operator_are_read(key: str, raw: str, value: object) -> None:
    parsed = spec_for(key).parse(raw)
    if value is not None:
        assert parsed == value


@pytest.mark.parametrize(
    ("key", "raw", "fragment"),
    [
        ("working_hours_start", "9am", "HH:MM"),
        ("timezone", "Mars/Olympus", "unknown timezone"),
        ("alert_clock", "sometimes", "working or elapsed"),
        ("alert_limit_days", "0", "greater than or equal to 1"),
        ("alert_limit_days", "ten", "'ten' is not allowed"),
        ("alert_limit_days", "2.5", "whole number"),
        ("moderation_fraction", "0", "greater than 0"),
        ("moderation_fraction", "1.5", "less than or equal to 1"),
        ("moderation_blind", "maybe", "true or false"),
        ("case_file_domains", "[]", "at least 1"),
        ("case_file_domains", '["planning", "planning"]', "repeats planning"),
        ("case_file_domains", '["Child Voice"]', "is not a key"),
        ("supervision_frequency_weeks", '{"practitioner": 3}', '"default"'),
        ("supervision_frequency_weeks", '{"default": 4, "wizard": 1}', "unknown role wizard"),
        ("oversight_channel", "#qa-oversight", "channel id"),
        ("grading_scale", '{"grades": ["a"], "below_good": [], "inadequate": "a"}', "two grades"),
    ],
)
def test_bad_values_are_refused_in_one_line_naming_the_key(
    key: str, raw: str, fragment: str
) -> None:
    with pytest.raises(RuleSettingError) as caught:
        spec_for(key).parse(raw)
    message = str(caught.value)
    assert message.startswith(f"{key}: ")
    assert fragment in message
    assert "\n" not in message


def test_an_unknown_key_suggests_the_nearest() -> None:
    with pytest.raises(RuleSettingError, match="did you mean alert_limit_days"):
        spec_for("alert_limit_day")


def test_a_scale_of_its_own_declares_order_below_good_and_inadequate() -> None:
    scale = GradingScale.model_validate_json(
        '{"grades": ["strong", "adequate", "weak"], "below_good": ["weak"], "inadequate": "weak"}'
    )
    assert scale.rank("strong") == 0 and scale.rank("weak") == 2
    assert scale.is_below_good("weak") and not scale.is_below_good("adequate")


@pytest.mark.parametrize(
    ("scale", "fragment"),
    [
        ('{"grades": ["a", "b", "c"], "below_good": ["b"], "inadequate": "b"}', "worst grades"),
        ('{"grades": ["a", "b"], "below_good": ["a", "b"], "inadequate": "b"}', "not all"),
        ('{"grades": ["a", "b", "c"], "below_good": ["c"], "inadequate": "b"}', "inadequate"),
        ('{"grades": ["a", "b"], "below_good": ["z"], "inadequate": "z"}', "not among"),
    ],
)
def test_an_inconsistent_scale_is_refused(scale: str, fragment: str) -> None:
    with pytest.raises(RuleSettingError, match=fragment):
        spec_for("grading_scale").parse(scale)


def test_working_hours_must_start_before_they_end() -> None:
    with pytest.raises(RuleSettingError, match="must be before"):
        settings_from({"working_hours_start": time(18, 0)})


def test_a_stored_value_no_longer_valid_is_reported_not_replaced() -> None:
    with pytest.raises(RuleSettingError, match="qabot settings set alert_clock"):
        SETTINGS["alert_clock"].load('"sometimes"')

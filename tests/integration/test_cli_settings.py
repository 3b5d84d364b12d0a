"""`qabot settings show|set`, and the service behind it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.domain.rule_settings import SETTINGS
from bot.services.rule_settings import RuleSettingError, get_settings, set_setting
from storage.db import unit_of_work
from storage.models import DEFAULT_AUTHORITY_ID, AuditLogEntry, RuleSetting
from tests.integration.conftest import RunCli

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _shown(out: str) -> dict[str, str]:
    lines = {}
    for line in out.splitlines():
        key, _, rest = line.partition(" ")
        lines[key] = rest.strip()
    return lines


def test_show_lists_every_setting_as_default(cli: RunCli) -> None:
    code, out, _ = cli("settings", "show")
    assert code == 0
    shown = _shown(out)
    assert list(shown) == list(SETTINGS)
    assert all(value.endswith("(default)") for value in shown.values())
    assert shown["working_hours_start"] == "09:00  (default)"
    assert shown["alert_clock"] == "working  (default)"


def test_set_then_show_round_trip(cli: RunCli, engine: Engine) -> None:
    assert cli("settings", "set", "alert_limit_days", "15")[:2] == (
        0,
        "alert_limit_days = 15\n",
    )
    assert cli("settings", "set", "working_hours_end", "17:00")[0] == 0
    domains = '["child_voice", "planning", "chronology"]'
    assert cli("settings", "set", "case_file_domains", domains)[0] == 0
    assert cli("settings", "set", "moderation_blind", "false")[0] == 0
    code, out, _ = cli("settings", "show")
    shown = _shown(out)
    assert shown["alert_limit_days"] == "15"
    assert shown["working_hours_end"] == "17:00"
    assert shown["case_file_domains"] == domains
    assert shown["moderation_blind"] == "false"
    assert shown["alert_clock"] == "working  (default)"
    with unit_of_work(engine) as session:
        settings = get_settings(session, DEFAULT_AUTHORITY_ID)
    assert settings.alert_limit_days == 15
    assert settings.working_hours_end == time(17, 0)
    assert settings.case_file_domains == ("child_voice", "planning", "chronology")
    assert settings.moderation_blind is False


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("alert_limit", "5"), "unknown setting 'alert_limit'"),
        (("alert_limit_days", "soon"), "alert_limit_days: 'soon' is not allowed"),
        (("alert_clock", "fast"), "allowed: working or elapsed"),
        (("working_hours_start", "18:00"), "working_hours_start must be before"),
        (("grading_scale", "[1, 2]"), "grading_scale:"),
    ],
)
def test_bad_key_or_value_exits_1_with_one_line(
    cli: RunCli, engine: Engine, argv: tuple[str, str], fragment: str
) -> None:
    code, out, err = cli("settings", "set", *argv)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert fragment in err
    with unit_of_work(engine) as session:
        assert session.exec(select(RuleSetting)).all() == []


def test_a_change_is_audited_with_before_and_after(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        set_setting(
            session,
            authority_id=DEFAULT_AUTHORITY_ID,
            key="alert_clock",
            raw_value="elapsed",
            actor="system",
            now=NOW,
        )
        set_setting(
            session,
            authority_id=DEFAULT_AUTHORITY_ID,
            key="alert_clock",
            raw_value="working",
            actor="system",
            now=NOW,
        )
        session.commit()
    with unit_of_work(engine) as session:
        entries = session.exec(
            select(AuditLogEntry).where(AuditLogEntry.action == "settings.set")
        ).all()
        assert get_settings(session, DEFAULT_AUTHORITY_ID).calendar().elapsed is False
    assert [
        (e.record_id, json.loads(e.before or ""), json.loads(e.after or "")) for e in entries
    ] == [
        (
            "alert_clock",
            {"value": "working", "default": True},
            {"value": "elapsed", "default": False},
        ),
        (
            "alert_clock",
            {"value": "elapsed", "default": False},
            {"value": "working", "default": False},
        ),
    ]


def test_the_service_refuses_with_a_value_error(engine: Engine) -> None:
    with unit_of_work(engine) as session, pytest.raises(ValueError, match="reaudit_months"):
        set_setting(
            session,
            authority_id=DEFAULT_AUTHORITY_ID,
            key="reaudit_months",
            raw_value="-1",
            actor="system",
            now=NOW,
        )
    assert issubclass(RuleSettingError, ValueError)


def test_settings_are_per_authority(engine: Engine) -> None:
    from storage.models import Authority

    with unit_of_work(engine) as session:
        session.add(Authority(id=2, name="second"))
        session.flush()
        set_setting(
            session, authority_id=2, key="alert_limit_days", raw_value="10", actor="system", now=NOW
        )
        session.commit()
    with unit_of_work(engine) as session:
        assert get_settings(session, 2).alert_limit_days == 10
        assert get_settings(session, DEFAULT_AUTHORITY_ID).alert_limit_days == 20

"""Reading and changing an authority's rule settings (`qabot settings show|set`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.domain.rule_settings import (
    SETTINGS,
    RuleSettingError,
    RuleSettings,
    settings_from,
    spec_for,
)
from storage import audit_log
from storage.models import Authority, RuleSetting

__all__ = [
    "RuleSettingError",
    "RuleSettings",
    "SettingLine",
    "get_settings",
    "list_settings",
    "set_setting",
]


@dataclass(frozen=True)
class SettingLine:
    """One setting as the operator sees it: key, value as typed, whether it is the default."""

    key: str
    value: str
    is_default: bool
    description: str


def _stored_values(session: Session, authority_id: int) -> dict[str, Any]:
    rows = session.exec(select(RuleSetting).where(RuleSetting.authority_id == authority_id)).all()
    # A key no longer in the registry (a retired setting) is ignored, not an error.
    return {row.key: SETTINGS[row.key].load(row.value) for row in rows if row.key in SETTINGS}


def get_settings(session: Session, authority_id: int) -> RuleSettings:
    """Every rule setting of the authority, defaults filled in, read in one query."""
    return settings_from(_stored_values(session, authority_id))


def list_settings(session: Session, authority_id: int) -> list[SettingLine]:
    """Every setting with its current value, in registry order (for `qabot settings show`)."""
    stored = _stored_values(session, authority_id)
    current = settings_from(stored)
    return [
        SettingLine(
            key=key,
            value=spec.show(getattr(current, key)),
            is_default=key not in stored,
            description=spec.description,
        )
        for key, spec in SETTINGS.items()
    ]


def set_setting(
    session: Session, *, authority_id: int, key: str, raw_value: str, actor: str, now: datetime
) -> RuleSettings:
    """Parse, check and store one setting, and log its before and after values.

    Raises RuleSettingError (a ValueError) naming the key and what it allows. The caller
    commits. Values are configuration, not free text about a child, so logging them is safe.
    """
    spec = spec_for(key)
    if session.get(Authority, authority_id) is None:
        raise RuleSettingError(f"no authority {authority_id}")
    value = spec.parse(raw_value)
    stored = _stored_values(session, authority_id)
    before = settings_from(stored)
    # Check the whole set, so a value that clashes with another setting (working hours that
    # end before they start) is refused here rather than breaking every later clock.
    after = settings_from({**stored, key: value})
    row = session.get(RuleSetting, (authority_id, key))
    if row is None:
        session.add(RuleSetting(authority_id=authority_id, key=key, value=spec.to_json(value)))
    else:
        row.value = spec.to_json(value)
        session.add(row)
    audit_log.record(
        session,
        authority_id=authority_id,
        at=now,
        actor=actor,
        action="settings.set",
        record_type="rule_setting",
        record_id=key,
        before={"value": spec.show(getattr(before, key)), "default": key not in stored},
        after={"value": spec.show(value), "default": False},
    )
    session.flush()
    return after

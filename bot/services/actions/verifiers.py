"""Who verifies an action: the owner's team manager, or the audit's auditor (a setting)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from bot.domain.rule_settings import RuleSettings
from bot.services.org_view import OrgView
from storage.audit_models import Audit

#: An audit's auditor and moderator, by audit id.
AuditPeople = Mapping[int, tuple[int, int | None]]


def audit_people(session: Session, audit_ids: set[int]) -> dict[int, tuple[int, int | None]]:
    """The auditor and moderator of these audits, in one query."""
    if not audit_ids:
        return {}
    rows = session.exec(
        select(Audit.id, Audit.auditor_id, Audit.moderator_id)
        .where(col(Audit.id).in_(sorted(audit_ids)))
    ).all()
    return {audit_id: (auditor, moderator) for audit_id, auditor, moderator in rows if audit_id}


def verifiers_for(settings: RuleSettings, org: OrgView, *, owner_id: int, source: str,
                  source_id: int, audits: AuditPeople) -> tuple[int, ...]:
    """The people who may verify (or reject) the action, never its owner.

    With `action_verifier` = auditor, an audit's action is verified by its auditor (a
    moderation's by its moderator) while they are active; otherwise, and for alert actions,
    by the owner's team manager and deputies, or the owner's line manager when the team has
    none.
    """
    if settings.action_verifier == "auditor" and source in ("audit", "moderation"):
        auditor, moderator = audits.get(source_id, (None, None))
        person = auditor if source == "audit" else moderator
        if person is not None and person != owner_id and person in org.members:
            return (person,)
    return org.managers_of(owner_id)


def needs_audit_people(settings: RuleSettings) -> bool:
    """Whether verifiers depend on the audits (so the sweep reads them)."""
    return settings.action_verifier == "auditor"

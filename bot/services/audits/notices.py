"""Who is told what when an audit is submitted or moderated (every message via the outbox).

The team manager's summary carries the grades and the actions (they oversee them), not the
comments, rationale or feedback, which stay in the audit's record: a notice, not the narrative.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.alerts import Level
from bot.domain.audit_fields import KIND_LABELS, label
from bot.domain.audit_form import AuditAnswers, FormSpec, headline_grade
from bot.services.alerts.ladder import Ladder, build_ladder
from bot.services.audits.common import Subject
from bot.services.outbox import Message, enqueue
from storage import audit_log
from storage.audit_models import Audit, Cycle
from storage.models import Staff, StaffRole


def _send(session: Session, audit: Audit, key: str, to: str, template: str,
          data: dict[str, Any], now: datetime) -> list[str]:
    queued = enqueue(session, Message(key, to, template, data), authority_id=audit.authority_id,
                     now=now)
    return [key] if queued else []


def ladder_of(session: Session, audit: Audit) -> Ladder:
    """The case's team manager and deputies, its service's head of service, and so on."""
    return build_ladder(session, authority_id=audit.authority_id, team_id=audit.team_id)


def basics(audit: Audit, cycle: Cycle, subject: Subject, auditor: Staff) -> dict[str, Any]:
    """What every audit message names: the audit, what it is of, its team and auditor."""
    return {"audit_id": audit.id, "subject": subject.title, "case_ref": subject.case_ref,
            "team": subject.team, "kind": KIND_LABELS.get(cycle.kind, cycle.kind),
            "cycle": cycle.name, "auditor": auditor.name}


def tell_action_owners(session: Session, audit: Audit, base: dict[str, Any],
                       actions: list[tuple[int, str, Staff, str, bool]],
                       now: datetime) -> list[str]:
    """Each action's owner: what, by when, on which audit."""
    keys: list[str] = []
    for position, what, owner, due, needed in actions:
        if owner.slack_user_id and owner.active:
            keys += _send(session, audit, f"audit:{audit.id}:action:{position}:owner",
                          owner.slack_user_id, "audit.action_assigned",
                          {**base, "what": what, "due": due, "needed_for_good": needed}, now)
    return keys


def summary_data(spec: FormSpec, answers: AuditAnswers, base: dict[str, Any],
                 owners: dict[str, str]) -> dict[str, Any]:
    """The summary: grades, with the practitioner or not, urgent concern or not, actions."""
    grade = headline_grade(spec, answers)
    return {
        **base,
        "domains": [[label(d), label(answers.domains[d].grade or "")]
                    for d in spec.domains if d in answers.domains],
        "overall": label(answers.overall_grade or "") if spec.overall_enabled else None,
        "grade": label(grade) if grade else "",
        "with_practitioner": bool(answers.with_practitioner),
        "urgent_concern": bool(answers.urgent_concern),
        "actions": [{"what": a.what, "owner": owners.get(a.owner or "", ""),
                     "due": a.due.isoformat() if a.due else ""}
                    for a in answers.used_actions()],
    }


def tell_team_managers(session: Session, audit: Audit, ladder: Ladder, data: dict[str, Any],
                       now: datetime) -> list[str]:
    """The team manager (and deputies) of the audited case's team get the summary."""
    keys: list[str] = []
    for staff_id in ladder.levels[Level.TEAM_MANAGER]:
        keys += _send(session, audit, f"audit:{audit.id}:summary:{staff_id}",
                      ladder.slack_ids[staff_id], "audit.summary", data, now)
    return keys


def ask_moderator(session: Session, audit: Audit, base: dict[str, Any], *, blind: bool,
                  grade: str | None, now: datetime) -> list[str]:
    """The moderator gets a Moderate button (and the auditor's grade only when not blind)."""
    moderator = session.get(Staff, audit.moderator_id) if audit.moderator_id else None
    if moderator is None or not moderator.active or not moderator.slack_user_id:
        return []
    due = audit.moderation_due.isoformat() if audit.moderation_due else None
    data = {**base, "blind": blind, "grade": None if blind else label(grade or ""),
            "moderation_due": due}
    return _send(session, audit, f"audit:{audit.id}:moderate", moderator.slack_user_id,
                 "audit.moderation_request", data, now)


def notify_inadequate(session: Session, audit: Audit, base: dict[str, Any], grade: str,
                      *, by: str, now: datetime) -> list[str]:
    """An Inadequate grade goes at once to the head of service and team manager: once per audit.

    The auditor's and the moderator's grades share the one notice: whoever gives the grade
    first sends it, and the keys name the audit, not the grader, so nothing is sent twice.
    """
    if audit.inadequate_notified_at is not None:
        return []
    audit.inadequate_notified_at = now
    session.add(audit)
    ladder = ladder_of(session, audit)
    people = [*ladder.levels[Level.HEAD_OF_SERVICE]]
    people += [p for p in ladder.levels[Level.TEAM_MANAGER] if p not in people]
    keys: list[str] = []
    for staff_id in people:
        keys += _send(session, audit, f"audit:{audit.id}:inadequate:{staff_id}",
                      ladder.slack_ids[staff_id], "audit.inadequate",
                      {**base, "grade": label(grade), "by": by}, now)
    audit_log.record(session, authority_id=audit.authority_id, at=now, actor="system",
                     action="audit.inadequate_notified", record_type="audit",
                     record_id=audit.id or 0, after={"grade": grade, "by": by,
                                                     "told": len(people)})
    return keys


def tell_qa_leads(session: Session, audit: Audit, base: dict[str, Any], concern: str,
                  now: datetime) -> list[str]:
    """An urgent concern on an audit of a person (no case for a Practice Alert): the QA lead."""
    leads = session.exec(
        select(Staff).join(StaffRole, col(StaffRole.staff_id) == col(Staff.id)).where(
            Staff.authority_id == audit.authority_id, StaffRole.role == "qa_lead",
            col(Staff.active).is_(True))
    ).all()
    keys: list[str] = []
    for lead in leads:
        if lead.slack_user_id:
            keys += _send(session, audit, f"audit:{audit.id}:urgent:{lead.id}",
                          lead.slack_user_id, "audit.urgent_concern",
                          {**base, "concern": concern}, now)
    return keys


def tell_disagreement(session: Session, audit: Audit, base: dict[str, Any],
                      data: dict[str, Any], now: datetime) -> list[str]:
    """A disagreement tells the auditor and the moderator, and asks them to discuss."""
    keys: list[str] = []
    for role, staff_id in (("auditor", audit.auditor_id), ("moderator", audit.moderator_id)):
        person = session.get(Staff, staff_id) if staff_id else None
        if person is not None and person.active and person.slack_user_id:
            keys += _send(session, audit, f"audit:{audit.id}:disagreement:{role}",
                          person.slack_user_id, "audit.moderation_disagreed",
                          {**base, **data, "you_are": role}, now)
    return keys

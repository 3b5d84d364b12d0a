"""What a nudge message says, as data: its items, and their state read again after a press.

The Slack side renders this (template `loop.items`); a service never builds blocks. Each item
names its record (kind and id), why it is there (role and detail), the facts to show, and its
current state. Pressing a button changes a record; the message's items are then read again
here and the message is updated in place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.actions import ActionStatus
from bot.domain.nudges import Entry
from bot.domain.working_time import WorkingCalendar
from bot.services.org_view import OrgView
from storage.audit_models import Action, Audit, Cycle, EpdrRecord, SupervisionRecord
from storage.models import Case, Staff

TEMPLATE = "loop.items"
EPDR_KINDS = {"epdr_annual": "annual", "epdr_review": "half_year"}


def message_data(*, key: str, purpose: str, day: date, created: datetime,
                 items: list[dict[str, Any]]) -> dict[str, Any]:
    """A message of items: `purpose` is `daily` (the day's nudges) or `verify`."""
    return {"key": key, "purpose": purpose, "day": day.isoformat(),
            "created": created.isoformat(), "items": items}


def action_rows(session: Session, ids: set[int]) -> dict[int, Any]:
    """Actions with their case reference, by id, in one query."""
    if not ids:
        return {}
    rows = session.exec(
        select(Action, Case.case_ref).outerjoin(Case, col(Case.id) == col(Action.case_id))
        .where(col(Action.id).in_(sorted(ids)))
    ).all()
    return {action.id or 0: (action, case_ref) for action, case_ref in rows}


def audit_rows(session: Session, ids: set[int]) -> dict[int, Any]:
    """Audits with their case reference, subject's name and cycle name, by id, in one query."""
    if not ids:
        return {}
    rows = session.exec(
        select(Audit, Case.case_ref, Staff.name, Cycle.name)
        .join(Cycle, col(Cycle.id) == col(Audit.cycle_id))
        .outerjoin(Case, col(Case.id) == col(Audit.case_id))
        .outerjoin(Staff, col(Staff.id) == col(Audit.subject_staff_id))
        .where(col(Audit.id).in_(sorted(ids)))
    ).all()
    return {audit.id or 0: (audit, case_ref, subject, cycle)
            for audit, case_ref, subject, cycle in rows}


def action_state(action: Action, today: date) -> dict[str, Any]:
    """An action's state as a message shows it."""
    if action.status == ActionStatus.CLOSED:
        return {"state": "closed", "state_on": _iso(action.verified_on), "reason": None}
    if action.status == ActionStatus.DONE:
        return {"state": "done", "state_on": _iso(action.done_on), "reason": None}
    if action.snoozed_until is not None and action.snoozed_until > today:
        return {"state": "snoozed", "state_on": _iso(action.snoozed_until), "reason": None}
    return {"state": "open", "state_on": None, "reason": action.rejected_reason}


def action_item(action: Action, case_ref: str | None, owner: str, *, role: str, detail: str,
                today: date, calendar: WorkingCalendar, evidence: bool = False) -> dict[str, Any]:
    """One action as a message item."""
    assert action.id is not None
    item = {
        "kind": "action", "id": action.id, "role": role, "detail": detail,
        "what": action.description, "case_ref": case_ref, "owner": owner, "subject": None,
        "cycle": None, **_timing(calendar, action.due, today), "answer": None,
        **action_state(action, today),
    }
    if evidence:
        item["evidence"] = action.evidence
    return item


def items_for(session: Session, entries: list[Entry], org: OrgView, calendar: WorkingCalendar,
              today: date, actions: dict[int, Any], audits: dict[int, Any]) -> list[dict[str, Any]]:
    """The items of one person's daily message, from their entries."""
    items = []
    for entry in entries:
        role, detail = entry.role.value, entry.detail
        if entry.kind == "action":
            action, case_ref = actions[entry.record_id]
            items.append(action_item(action, case_ref, org.name(action.owner_id), role=role,
                                     detail=detail, today=today, calendar=calendar))
            continue
        item: dict[str, Any] = {
            "kind": entry.kind, "id": entry.record_id, "role": role, "detail": detail,
            "what": None, "case_ref": None, "cycle": None, "answer": None,
            **_timing(calendar, entry.due, today), "state": "due", "state_on": None,
            "reason": None,
        }
        if entry.kind in ("audit", "moderation"):
            audit, case_ref, subject, cycle = audits[entry.record_id]
            person = audit.auditor_id if entry.kind == "audit" else audit.moderator_id
            item.update(case_ref=case_ref, subject=subject, cycle=cycle, owner=org.name(person))
        else:  # supervision or an EPDR: the record is the supervisee's or appraisee's
            item.update(subject=org.name(entry.record_id),
                        owner=org.name(org.line_manager(entry.record_id)))
        items.append(item)
    return items


def refresh(session: Session, data: dict[str, Any], today: date) -> dict[str, Any]:
    """The message's items with their state read again (after someone acted on one)."""
    since = datetime.fromisoformat(data["created"])
    ids: dict[str, set[int]] = {}
    for item in data["items"]:
        ids.setdefault(item["kind"], set()).add(item["id"])
    actions = action_rows(session, ids.get("action", set()))
    audits = audit_rows(session, ids.get("audit", set()) | ids.get("moderation", set()))
    sessions = _sessions_since(session, ids.get("supervision", set()), since)
    epdrs = _epdrs_since(session, ids.get("epdr_annual", set()) | ids.get("epdr_review", set()),
                         since)
    items = []
    for item in data["items"]:
        kind, record = item["kind"], item["id"]
        state: dict[str, Any] = {}
        if kind == "action" and record in actions:
            state = action_state(actions[record][0], today)
        elif kind in ("audit", "moderation") and record in audits:
            status = audits[record][0].status
            waiting = ("allocated", "in_progress") if kind == "audit" else ("submitted",)
            state = {"state": "due" if status in waiting else "done"}
        elif kind == "supervision" and record in sessions:
            held, held_on = sessions[record]
            state = {"state": "recorded" if held else "missed", "state_on": _iso(held_on)}
        elif kind in EPDR_KINDS and (record, EPDR_KINDS[kind]) in epdrs:
            state = {"state": "done", "state_on": _iso(epdrs[(record, EPDR_KINDS[kind])])}
        items.append({**item, **state})
    return {**data, "items": items}


def _sessions_since(session: Session, supervisees: set[int],
                    since: datetime) -> dict[int, tuple[bool, date]]:
    if not supervisees:
        return {}
    rows = session.exec(
        select(col(SupervisionRecord.supervisee_id), col(SupervisionRecord.held),
               col(SupervisionRecord.held_on))
        .where(col(SupervisionRecord.supervisee_id).in_(sorted(supervisees)),
               col(SupervisionRecord.recorded_at) >= since)
        .order_by(col(SupervisionRecord.recorded_at), col(SupervisionRecord.id))
    ).all()
    return {supervisee: (held, held_on) for supervisee, held, held_on in rows}  # the latest


def _epdrs_since(session: Session, staff: set[int],
                 since: datetime) -> dict[tuple[int, str], date]:
    if not staff:
        return {}
    rows = session.exec(
        select(col(EpdrRecord.staff_id), col(EpdrRecord.kind), col(EpdrRecord.done_on))
        .where(col(EpdrRecord.staff_id).in_(sorted(staff)), col(EpdrRecord.recorded_at) >= since)
        .order_by(col(EpdrRecord.recorded_at), col(EpdrRecord.id))
    ).all()
    return {(staff_id, kind): done_on for staff_id, kind, done_on in rows}


def _timing(calendar: WorkingCalendar, due: date, today: date) -> dict[str, Any]:
    return {
        "due": due.isoformat(),
        "overdue_days": calendar.working_days_overdue(due, today),
        "days_left": max(0, calendar.working_days_between(today, due)),
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()

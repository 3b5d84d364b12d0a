"""`/good-practice @person [case reference] what was good`: the Good Practice Evidence Record.

Northants: the practitioner is thanked, and their line manager and the QA lead are told; the
record counts in the summaries. What was good is free text: it goes to those three in direct
messages and stays in the record, never in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.services.directory import find_active_person
from bot.services.outbox import Message, enqueue
from storage import audit_log
from storage.audit_models import GoodPractice
from storage.db import unit_of_work
from storage.models import Case, Staff, StaffRole

MAX_WHAT = 3000
#: A word that looks like a case reference (letters and digits, at least one digit).
_CASE_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9/_-]{2,29}$")


class GoodPracticeError(Exception):
    """A record that cannot be made as asked, phrased for the person who asked."""


class NotStaff(GoodPracticeError):
    """The person asking is not an active member of staff."""


@dataclass
class GoodPracticeOutcome:
    """What was recorded and the messages to send."""

    practitioner: str
    case_ref: str | None
    keys: list[str] = field(default_factory=list)
    duplicate: bool = False


def _case(session: Session, authority_id: int, words: str) -> tuple[Case | None, str]:
    """The case named first in the words, if they start with a reference, and the rest."""
    first, _, rest = words.strip().partition(" ")
    if not _CASE_LIKE.match(first):
        return None, words.strip()
    case = session.exec(select(Case).where(
        col(Case.authority_id) == authority_id, func.upper(Case.case_ref) == first.upper(),
    )).first()
    if case is None:
        raise GoodPracticeError(
            f"I don't know the case reference {first}: check it, or leave it out.")
    return case, rest.strip()


def _told(session: Session, authority_id: int, practitioner: Staff, giver_id: int) -> list[Staff]:
    """The line manager and every active QA lead (never the giver, who already knows)."""
    qa_leads = session.exec(
        select(Staff).join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
        .where(col(Staff.authority_id) == authority_id, col(Staff.active).is_(True),
               col(StaffRole.role) == "qa_lead").order_by(col(Staff.id))
    ).all()
    manager = (session.get(Staff, practitioner.line_manager_id)
               if practitioner.line_manager_id else None)
    people = ([manager] if manager and manager.active else []) + list(qa_leads)
    seen: set[int] = {giver_id, practitioner.id or 0}
    told = []
    for person in people:
        if person.id not in seen and person.slack_user_id:
            seen.add(person.id or 0)
            told.append(person)
    return told


def record_good_practice(engine: Engine, *, authority_id: int, giver_slack_id: str,
                         practitioner_slack_id: str, words: str, source_key: str,
                         now: datetime) -> GoodPracticeOutcome:
    """Record good practice and queue the thanks; the same request twice records it once."""
    with unit_of_work(engine) as session:
        giver = find_active_person(session, authority_id=authority_id,
                                   slack_user_id=giver_slack_id)
        if giver is None:
            raise NotStaff("not in the directory")
        practitioner = session.exec(select(Staff).where(
            col(Staff.authority_id) == authority_id, col(Staff.active).is_(True),
            col(Staff.slack_user_id) == practitioner_slack_id)).first()
        if practitioner is None or practitioner.id is None:
            raise GoodPracticeError(
                f"I can't find <@{practitioner_slack_id}> in the QA directory as an active "
                "member of staff.")
        if practitioner.id == giver.staff_id:
            raise GoodPracticeError("Good practice is recorded by someone else: ask a colleague.")
        case, what = _case(session, authority_id, words)
        if not what:
            raise GoodPracticeError(
                "Say what was good: `/good-practice @person [case reference] what was good`.")
        if len(what) > MAX_WHAT:
            raise GoodPracticeError(f"Please keep it under {MAX_WHAT} characters.")
        existing = session.exec(select(GoodPractice).where(
            GoodPractice.source_key == source_key)).first()
        if existing is not None:
            return GoodPracticeOutcome(practitioner.name, case.case_ref if case else None,
                                       duplicate=True)
        record = GoodPractice(
            authority_id=authority_id, practitioner_id=practitioner.id,
            given_by_id=giver.staff_id, case_id=case.id if case else None,
            team_id=practitioner.team_id, what=what, given_at=now, source_key=source_key)
        session.add(record)
        try:
            session.flush()
        except IntegrityError:  # the same request, recorded at this moment by another process
            session.rollback()
            return GoodPracticeOutcome(practitioner.name, case.case_ref if case else None,
                                       duplicate=True)
        data = {"given_by": giver.name, "practitioner": practitioner.name,
                "case_ref": case.case_ref if case else None, "what": what}
        outcome = GoodPracticeOutcome(practitioner.name, data["case_ref"])
        recipients = [(practitioner, "good_practice.thanks")] + [
            (person, "good_practice.told")
            for person in _told(session, authority_id, practitioner, giver.staff_id)]
        for person, template in recipients:
            if not person.slack_user_id:
                continue
            key = f"good_practice:{record.id}:to:{person.id}"
            if enqueue(session, Message(key, person.slack_user_id, template, data),
                       authority_id=authority_id, now=now):
                outcome.keys.append(key)
        audit_log.record(
            session, authority_id=authority_id, at=now, actor=giver_slack_id,
            action="good_practice.recorded", record_type="good_practice", record_id=str(record.id),
            after={"practitioner_id": practitioner.id, "team_id": practitioner.team_id,
                   "case_id": case.id if case else None},
        )
        session.commit()
        return outcome

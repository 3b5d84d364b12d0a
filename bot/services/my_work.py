"""A person's own open work: what `/qa` and App Home show them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.services.directory import Person, find_active_person
from storage.db import unit_of_work


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the person, with the action that opens it."""

    kind: str
    reference: str
    summary: str
    due: str | None = None
    action_id: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class MyWork:
    """The person and everything open for them."""

    person: Person
    items: list[WorkItem] = field(default_factory=list)


def load_my_work(engine: Engine, *, authority_id: int, slack_user_id: str) -> MyWork | None:
    """The caller's open work, or None when they are not an active member of staff."""
    with unit_of_work(engine) as session:
        person = find_active_person(session, authority_id=authority_id, slack_user_id=slack_user_id)
        if person is None:
            return None
        # Audits, alerts, actions and supervision add their items here as they arrive.
        return MyWork(person=person, items=[])

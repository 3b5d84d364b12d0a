"""Who is asking, what they may see, and refusals written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.domain.rule_settings import RuleSettings
from bot.domain.summaries import Scope, Viewer, may_see, refusal
from bot.services.directory import Person, find_active_person
from bot.services.rule_settings import get_settings
from bot.services.summaries.errors import Stranger, SummaryError
from bot.services.summaries.periods import CycleInfo, load_cycles
from bot.services.summaries.scopes import OrgNames, load_names, scope_from_key, viewer_of
from storage import audit_log
from storage.db import read_only, unit_of_work


@dataclass(frozen=True)
class Asker:
    """The person asking, their reach, and what the authority's words and cycles are."""

    authority_id: int
    person: Person
    viewer: Viewer
    names: OrgNames
    settings: RuleSettings
    cycles: list[CycleInfo]

    def scope_from_key(self, key: str) -> Scope | None:
        """A scope from its key (`team:4`), as a button carries it."""
        return scope_from_key(key, self.person, self.names)

    def may_see(self, scope: Scope) -> bool:
        """Whether the asker may see this scope."""
        return may_see(self.viewer, scope)


def asker_in(session: Session, *, authority_id: int, slack_user_id: str) -> Asker:
    """The asker, read in an open session (four small queries); Stranger if not staff."""
    person = find_active_person(session, authority_id=authority_id, slack_user_id=slack_user_id)
    if person is None:
        raise Stranger("not in the directory")
    names = load_names(session, authority_id)
    return Asker(authority_id, person, viewer_of(person, names), names,
                 get_settings(session, authority_id), load_cycles(session, authority_id))


def load_asker(engine: Engine, *, authority_id: int, slack_user_id: str) -> Asker:
    """The asker, read in a read-only session of its own."""
    with read_only(engine) as session:
        return asker_in(session, authority_id=authority_id, slack_user_id=slack_user_id)


def refuse(engine: Engine, asker: Asker, scope: Scope, now: datetime, *,
           action: str = "summary.view") -> NoReturn:
    """Write the refusal to the audit log (its own transaction) and raise it, in words."""
    with unit_of_work(engine) as session:
        audit_log.record(
            session, authority_id=asker.authority_id, at=now,
            actor=asker.person.slack_user_id or asker.person.email, action=action,
            record_type="summary_scope", record_id=scope.key, outcome="refused",
            after={"scope": scope.key},
        )
        session.commit()
    raise SummaryError(refusal(asker.viewer, scope))

"""A small synthetic organisation with actions, supervision, an EPDR and audits to nudge.

Actions are created as rows directly (audit submission creates them in life). Every person is
"Synthetic …" at example.org; case references are made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from storage.audit_models import Action, Audit, Cycle, EpdrRecord, SupervisionRecord
from storage.db import unit_of_work
from storage.directory_version import bump_directory_version
from storage.models import DEFAULT_AUTHORITY_ID, Case, Service, Staff, StaffRole, Team
from tests.fakes.slack_api import FakeSlack

# Slack user ids: assistant director, head of service, team manager, the action's owner,
# a second practitioner (supervised by the team manager), the QA lead, an auditor, a stranger.
AD, HOS, TM, OWNER, WORKER, QA, AUDITOR, STRANGER = (
    "ULAD", "ULHOS", "ULTM", "ULOWN", "ULWK", "ULQA", "ULAUD", "ULSTR")
CREATED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class LoopOrg:
    """Ids of the seeded rows: staff by Slack id, the team, the case, the cycle."""

    staff: dict[str, int] = field(default_factory=dict)
    team_id: int = 0
    case_id: int = 0
    cycle_id: int = 0

    def id(self, slack_id: str) -> int:
        """A person's staff id."""
        return self.staff[slack_id]


def seed_loop_org(engine: Engine, slack: FakeSlack | None = None) -> LoopOrg:
    """One service and team, its management line, a QA lead, an auditor, one case, one cycle."""
    org = LoopOrg()
    with unit_of_work(engine) as session:
        service = Service(authority_id=DEFAULT_AUTHORITY_ID, name="Service L",
                          head_of_service_email="lhos@example.org")
        session.add(service)
        session.flush()
        team = Team(authority_id=DEFAULT_AUTHORITY_ID, name="Team L", service_id=service.id or 0,
                    team_manager_email="ltm@example.org")
        session.add(team)
        session.flush()
        org.team_id = team.id or 0

        def person(slack_id: str, roles: list[str], manager: str | None,
                   in_team: bool = False, **extra: object) -> None:
            email = f"{slack_id[1:].lower()}@example.org"
            staff = Staff(authority_id=DEFAULT_AUTHORITY_ID, email=email,
                          name=f"Synthetic {slack_id[2:]}", slack_user_id=slack_id,
                          team_id=org.team_id if in_team else None,
                          line_manager_id=org.staff[manager] if manager else None, **extra)
            session.add(staff)
            session.flush()
            org.staff[slack_id] = staff.id or 0
            for role in roles:
                session.add(StaffRole(staff_id=staff.id or 0, role=role))
            if slack is not None:
                slack.add_user(slack_id, email)

        person(AD, ["assistant_director"], None)
        person(HOS, ["head_of_service"], AD)
        person(TM, ["team_manager"], HOS, in_team=True)
        person(OWNER, ["practitioner"], TM, in_team=True)
        person(WORKER, ["practitioner"], TM, in_team=True)
        person(QA, ["qa_lead"], AD)
        person(AUDITOR, ["practitioner"], AD, is_auditor=True)
        person(STRANGER, ["practitioner"], None)
        case = Case(authority_id=DEFAULT_AUTHORITY_ID, case_ref="C0101", team_id=org.team_id,
                    worker_id=org.staff[OWNER], case_type="CIN")
        cycle = Cycle(authority_id=DEFAULT_AUTHORITY_ID, name="Synthetic cycle", kind="case_file",
                      opens_on=date(2026, 10, 1), audit_due=date(2026, 12, 21), seed=1,
                      status="open", created_at=CREATED)
        session.add_all([case, cycle])
        session.flush()
        org.case_id, org.cycle_id = case.id or 0, cycle.id or 0
        bump_directory_version(session, DEFAULT_AUTHORITY_ID)  # staff changed
        session.commit()
    return org


def add_action(engine: Engine, org: LoopOrg, due: date, *, owner: str = OWNER,
               source: str = "alert", source_id: int = 1, position: int = 0,
               description: str = "Synthetic: update the plan",
               created_at: datetime = CREATED) -> int:
    """An open action on the case, as an audit or alert would create it; its id."""
    with unit_of_work(engine) as session:
        action = Action(authority_id=DEFAULT_AUTHORITY_ID, source=source, source_id=source_id,
                        position=position, case_id=org.case_id, team_id=org.team_id,
                        description=description, owner_id=org.id(owner), due=due,
                        created_at=created_at)
        session.add(action)
        session.commit()
        return action.id or 0


def add_session(engine: Engine, org: LoopOrg, supervisee: str, held_on: date,
                supervisor: str = TM) -> None:
    """A supervision session held (recorded when it was held)."""
    with unit_of_work(engine) as session:
        session.add(SupervisionRecord(
            authority_id=DEFAULT_AUTHORITY_ID, supervisor_id=org.id(supervisor),
            supervisee_id=org.id(supervisee), held_on=held_on, kind="one_to_one",
            recorded_at=CREATED))
        session.commit()


def set_epdr(engine: Engine, org: LoopOrg, slack_id: str, due: date,
             review_done: date | None = None) -> None:
    """A person's EPDR date (and their half-year review done)."""
    with unit_of_work(engine) as session:
        staff = session.get(Staff, org.id(slack_id))
        assert staff is not None
        staff.epdr_due = due
        session.add(staff)
        if review_done is not None:
            session.add(EpdrRecord(authority_id=DEFAULT_AUTHORITY_ID, staff_id=staff.id or 0,
                                   kind="half_year", done_on=review_done, recorded_at=CREATED))
        bump_directory_version(session, DEFAULT_AUTHORITY_ID)  # staff changed
        session.commit()


def add_audit(engine: Engine, org: LoopOrg, due: date, *, status: str = "allocated",
              moderation_due: date | None = None) -> int:
    """An audit of the case by the auditor (moderated by the QA lead); its id."""
    with unit_of_work(engine) as session:
        audit = Audit(authority_id=DEFAULT_AUTHORITY_ID, cycle_id=org.cycle_id,
                      case_id=org.case_id, team_id=org.team_id, worker_id=org.id(OWNER),
                      auditor_id=org.id(AUDITOR), moderator_id=org.id(QA), audit_due=due,
                      moderation_due=moderation_due, status=status)
        session.add(audit)
        session.commit()
        return audit.id or 0

"""A small synthetic organisation and the Practice Alert form, for the alert scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from storage.db import unit_of_work
from storage.directory_version import bump_directory_version
from storage.models import DEFAULT_AUTHORITY_ID, Case, Service, Staff, StaffRole, Team
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    checkboxes,
    datepicker,
    external_select,
    radio_buttons,
    state,
    static_select,
    text_input,
)

# Slack user ids of the synthetic people: raiser (an IRO), the ladder, and a stranger.
IRO, TM, DTM, SM, HOS, AD, STRANGER = "UIRO", "UTM", "UDTM", "USM", "UHOS", "UAD", "USTR"


@dataclass
class AlertOrg:
    """Ids of the seeded rows."""

    team_id: int
    case_ref: str


def seed_alert_org(engine: Engine, slack: FakeSlack, *, deputy: bool = False,
                   service_manager: bool = True) -> AlertOrg:
    """One service, one team, its ladder up to an assistant director, one IRO and one case."""
    with unit_of_work(engine) as session:
        service = Service(authority_id=DEFAULT_AUTHORITY_ID, name="Service A",
                          head_of_service_email="hos@example.org")
        session.add(service)
        session.flush()
        team = Team(authority_id=DEFAULT_AUTHORITY_ID, name="Team A", service_id=service.id or 0,
                    team_manager_email="tm@example.org",
                    service_manager_email="sm@example.org" if service_manager else None)
        session.add(team)
        session.flush()
        people: dict[str, Staff] = {}

        def person(slack_id: str, email: str, roles: list[str], manager: str | None = None,
                   team_id: int | None = None) -> Staff:
            staff = Staff(authority_id=DEFAULT_AUTHORITY_ID, email=email,
                          name=f"Synthetic {slack_id}", slack_user_id=slack_id, team_id=team_id,
                          line_manager_id=people[manager].id if manager else None)
            session.add(staff)
            session.flush()
            for role in roles:
                session.add(StaffRole(staff_id=staff.id or 0, role=role))
            people[slack_id] = staff
            slack.add_user(slack_id, email)
            return staff

        person(AD, "ad@example.org", ["assistant_director"])
        person(HOS, "hos@example.org", ["head_of_service"], AD)
        person(SM, "sm@example.org", ["service_manager"], HOS)
        person(TM, "tm@example.org", ["team_manager"], SM, team.id)
        if deputy:
            person(DTM, "dtm@example.org", ["deputy_team_manager"], TM, team.id)
        worker = person("UPR", "pr@example.org", ["practitioner"], TM, team.id)
        person(IRO, "iro@example.org", ["iro"])
        person(STRANGER, "other@example.org", ["practitioner"])
        session.add(Case(authority_id=DEFAULT_AUTHORITY_ID, case_ref="C0001", team_id=team.id or 0,
                         worker_id=worker.id, case_type="CP"))
        bump_directory_version(session, DEFAULT_AUTHORITY_ID)  # staff changed
        session.commit()
        return AlertOrg(team_id=team.id or 0, case_ref="C0001")


def alert_form(case_ref: str | None = "C0001", *, severity: str = "urgent",
               category: str = "drift_or_delay", management: bool = False,
               concern: str = "Synthetic concern: the plan has drifted.",
               asked: str = "Synthetic ask: review the plan.",
               by_when: str | None = None) -> dict[str, Any]:
    """The raise modal's state.values as Slack sends them."""
    return state(
        case={"alert.case": external_select(case_ref)},
        category={"category": static_select(category)},
        severity={"severity": radio_buttons(severity)},
        management={"management": checkboxes(["yes"] if management else [])},
        concern={"concern": text_input(concern)},
        asked={"asked": text_input(asked)},
        by_when={"by_when": datepicker(by_when)},
    )


def dm_texts(slack: FakeSlack, user_id: str) -> list[str]:
    """The texts of the messages the bot posted to a person, oldest first."""
    return [m["text"] for m in slack.messages(user_id)]

"""Who stands on each rung of a case's escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.domain.alerts import Level
from storage.models import Service, Staff, StaffRole, Team


@dataclass(frozen=True)
class Ladder:
    """The active, reachable people of each rung, lowest first (an empty rung is vacant)."""

    levels: list[list[int]]
    slack_ids: dict[int, str]


def _reachable(session: Session, authority_id: int, emails: list[str]) -> list[Staff]:
    if not emails:
        return []
    return list(session.exec(select(Staff).where(
        Staff.authority_id == authority_id,
        col(Staff.email).in_([e.lower() for e in emails]),
    )).all())


def build_ladder(session: Session, *, authority_id: int, team_id: int) -> Ladder:
    """The team manager and deputies, service manager, head of service, and the level above.

    Someone inactive, or with no Slack user id to reach them by, leaves their place vacant.
    """
    team = session.get(Team, team_id)
    assert team is not None
    service = session.get(Service, team.service_id)
    managers = _reachable(session, authority_id, [team.team_manager_email or ""])
    deputies = session.exec(
        select(Staff).join(StaffRole, col(StaffRole.staff_id) == col(Staff.id)).where(
            Staff.team_id == team_id, StaffRole.role == "deputy_team_manager"
        )
    ).all()
    service_managers = _reachable(session, authority_id, [team.service_manager_email or ""])
    heads = _reachable(
        session, authority_id, [service.head_of_service_email or ""] if service else []
    )
    above: list[Staff] = []
    for head in heads:
        if head.line_manager_id is not None:
            boss = session.get(Staff, head.line_manager_id)
            if boss is not None:
                above.append(boss)
    rungs: dict[Level, list[Staff]] = {
        Level.TEAM_MANAGER: [*managers, *[d for d in deputies if d not in managers]],
        Level.SERVICE_MANAGER: service_managers,
        Level.HEAD_OF_SERVICE: heads,
        Level.ABOVE_HEAD_OF_SERVICE: above,
    }
    levels: list[list[int]] = []
    slack_ids: dict[int, str] = {}
    for level in Level:
        people = [p for p in rungs[level] if p.active and p.slack_user_id and p.id is not None]
        levels.append(sorted({p.id for p in people if p.id is not None}))
        slack_ids.update({p.id: p.slack_user_id for p in people if p.id and p.slack_user_id})
    return Ladder(levels=levels, slack_ids=slack_ids)

"""The allocation engine's inputs and outputs: plain frozen dataclasses, no storage or Slack.

The storage layer maps its rows to these; the engine never reads a database. Ids are strings
(whatever the storage layer uses as keys); collections are tuples so that a request is a value
that can be compared, serialised to JSON and re-run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

CycleKind = Literal["case_file", "thematic", "supervision_file", "practice_observation"]

#: Kinds whose subject is a case; the others audit a person (PRODUCT.md section 2).
CASE_KINDS: tuple[str, ...] = ("case_file", "thematic")
PERSON_KINDS: tuple[str, ...] = ("supervision_file", "practice_observation")
#: Who may moderate (PRODUCT.md section 2), when active and available for the cycle.
MODERATOR_ROLES: tuple[str, ...] = (
    "head_of_service",
    "service_manager",
    "principal_social_worker",
    "qa_lead",
)


# ------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Person:
    """Someone in the staff directory, as the allocation sees them."""

    id: str
    roles: tuple[str, ...] = ()
    team_id: str | None = None
    line_manager_id: str | None = None
    active: bool = True
    auditor: bool = False


@dataclass(frozen=True)
class Team:
    """A team of a service; ``manager_ids`` holds its team managers and deputies."""

    id: str
    service_id: str
    manager_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """A service (several teams under a head of service)."""

    id: str


@dataclass(frozen=True)
class Organisation:
    """The staff directory: people, teams and services of one authority."""

    people: tuple[Person, ...]
    teams: tuple[Team, ...]
    services: tuple[Service, ...]


@dataclass(frozen=True)
class Case:
    """A case that case-file and thematic cycles can draw.

    ``involved_ids`` are the named involved staff of the case import (IRO, CP chair,
    previous workers); ``last_audited`` is the opening date of its last audit, of any
    case kind (a thematic audit counts against a case-file audit and back).
    """

    id: str
    ref: str
    team_id: str
    worker_id: str | None
    case_type: str
    involved_ids: tuple[str, ...] = ()
    last_audited: date | None = None
    open: bool = True


@dataclass(frozen=True)
class PersonSubject:
    """A practitioner who can be audited by a cycle of ``kind`` (a person kind).

    A person has one entry per person kind: a supervision-file audit does not count
    against a practice observation.
    """

    person_id: str
    kind: CycleKind
    last_audited: date | None = None


@dataclass(frozen=True)
class CycleSpec:
    """One cycle to draw: its kind, sample rule, theme, re-audit window and unavailability.

    Exactly one of ``sample`` (a total) and ``per_auditor`` (N for every auditor in the
    pool) is set. ``auditor_roles``, when not empty, narrows the pool to auditors holding
    one of those roles (Bolton: every team manager audits one case).
    """

    id: str
    kind: CycleKind
    opens_on: date
    sample: int | None = None
    per_auditor: int | None = None
    moderation_fraction: float = 1.0
    case_types: tuple[str, ...] = ()
    team_ids: tuple[str, ...] = ()
    service_ids: tuple[str, ...] = ()
    reaudit_months: int = 12
    unavailable_ids: tuple[str, ...] = ()
    auditor_roles: tuple[str, ...] = ()

    @property
    def themed(self) -> bool:
        """Whether a theme filters the subjects (then the sample is not spread by team)."""
        return bool(self.case_types or self.team_ids or self.service_ids)

    @property
    def audits_cases(self) -> bool:
        """Whether the subject is a case (else a person)."""
        return self.kind in CASE_KINDS


@dataclass(frozen=True)
class DrawRequest:
    """Everything one draw depends on; the same request always gives the same draw.

    ``capacity`` bounds each auditor's total audits across the cycles drawn together
    *and* ``existing_load`` (audits they hold in other cycles open at the same time).
    ``existing_moderation_load`` counts toward the even spread of moderation.
    """

    organisation: Organisation
    cycles: tuple[CycleSpec, ...]
    seed: int
    cases: tuple[Case, ...] = ()
    people_to_audit: tuple[PersonSubject, ...] = ()
    capacity: int | None = None
    existing_load: Mapping[str, int] = field(default_factory=dict)
    existing_moderation_load: Mapping[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------- outputs

UnplacedKind = Literal["subject", "auditor", "team", "cycle", "moderation"]


@dataclass(frozen=True)
class Assignment:
    """One audit: a subject of a cycle, its auditor and (if moderated) its moderator.

    For a person kind, ``subject_id`` and ``worker_id`` are the person audited and
    ``case_ref`` is None.
    """

    cycle_id: str
    subject_id: str
    case_ref: str | None
    team_id: str
    service_id: str
    worker_id: str | None
    auditor_id: str
    moderator_id: str | None = None


@dataclass(frozen=True)
class Unplaced:
    """Something the draw could not place, and why, in words for the QA lead."""

    cycle_id: str
    kind: UnplacedKind
    id: str
    reason: str


@dataclass(frozen=True)
class PersonExclusion:
    """Someone left out of a cycle's auditor or moderator pool, and why."""

    cycle_id: str
    person_id: str
    pool: Literal["auditor", "moderator"]
    reason: str


@dataclass(frozen=True)
class SubjectExclusion:
    """Subjects of a cycle left out of the draw for one reason (grouped: there can be many)."""

    cycle_id: str
    reason: str
    subject_ids: tuple[str, ...]


@dataclass(frozen=True)
class TeamQuota:
    """A team's part of a cycle's sample: its open subjects, exact share and whole quota."""

    team_id: str
    service_id: str
    open_count: int
    share: float
    quota: int


@dataclass(frozen=True)
class CycleRecord:
    """What the draw did for one cycle: its pools, sample size, quotas and subjects drawn."""

    cycle_id: str
    kind: CycleKind
    sample_size: int
    auditor_pool: tuple[str, ...]
    moderator_pool: tuple[str, ...]
    quotas: tuple[TeamQuota, ...]
    drawn: tuple[str, ...]
    moderated: int


@dataclass(frozen=True)
class Load:
    """A person's load: held before the draw (other open cycles) and given by it."""

    person_id: str
    existing_audits: int
    audits: int
    existing_moderations: int
    moderations: int

"""The allocation engine of audit cycles (PRODUCT.md section 2): pure rules, no storage or Slack.

``draw(DrawRequest(...))`` draws one or several cycles opening together from one pool and
returns a ``DrawResult``: the assignments, what could not be placed, and a ``Receipt`` that
exports to JSON (``Receipt.to_json``) and re-runs to the same draw (``rerun``). A result that
is not ``complete`` must not be sent.
"""

from bot.domain.allocation.engine import ALGORITHM, draw, rerun
from bot.domain.allocation.model import (
    CASE_KINDS,
    MODERATOR_ROLES,
    PERSON_KINDS,
    Assignment,
    Case,
    CycleKind,
    CycleRecord,
    CycleSpec,
    DrawRequest,
    Load,
    Organisation,
    Person,
    PersonExclusion,
    PersonSubject,
    Service,
    SubjectExclusion,
    Team,
    TeamQuota,
    Unplaced,
)
from bot.domain.allocation.receipt import DrawResult, Receipt, inputs_sha256
from bot.domain.allocation.validation import AllocationInputError

__all__ = [
    "ALGORITHM",
    "CASE_KINDS",
    "MODERATOR_ROLES",
    "PERSON_KINDS",
    "AllocationInputError",
    "Assignment",
    "Case",
    "CycleKind",
    "CycleRecord",
    "CycleSpec",
    "DrawRequest",
    "DrawResult",
    "Load",
    "Organisation",
    "Person",
    "PersonExclusion",
    "PersonSubject",
    "Receipt",
    "Service",
    "SubjectExclusion",
    "Team",
    "TeamQuota",
    "Unplaced",
    "draw",
    "inputs_sha256",
    "rerun",
]

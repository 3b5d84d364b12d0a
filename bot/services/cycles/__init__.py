"""Audit cycles (PRODUCT.md section 2): create, draw, open, close, and mid-cycle changes.

Every use case takes an ``Actor``: the operator (command line, scheduler) or a Slack user,
who must be an active QA lead; anyone else is refused and the refusal is written to the
audit log.
"""

from bot.services.cycles.allocating import AllocationOutcome, allocate_cycle
from bot.services.cycles.common import Actor, CycleError, CycleProblems, may_run_cycles
from bot.services.cycles.creating import CreatedCycle, NewCycle, create_cycle, cycle_problems
from bot.services.cycles.listing import (
    CycleLine,
    close_cycle,
    cycle_receipt,
    describe_cycle,
    list_cycles,
)
from bot.services.cycles.opening import OpenOutcome, open_cycle, open_due_cycles
from bot.services.cycles.reallocating import ReallocationOutcome, mark_unavailable
from bot.services.cycles.reassigning import ReassignOutcome, describe_audit, reassign_audit
from bot.services.cycles.summary import DrawSummary

__all__ = [
    "Actor",
    "AllocationOutcome",
    "CreatedCycle",
    "CycleError",
    "CycleLine",
    "CycleProblems",
    "DrawSummary",
    "NewCycle",
    "OpenOutcome",
    "ReallocationOutcome",
    "ReassignOutcome",
    "allocate_cycle",
    "close_cycle",
    "create_cycle",
    "cycle_problems",
    "cycle_receipt",
    "describe_audit",
    "describe_cycle",
    "list_cycles",
    "mark_unavailable",
    "may_run_cycles",
    "open_cycle",
    "open_due_cycles",
    "reassign_audit",
]

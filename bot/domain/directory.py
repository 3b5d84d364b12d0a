"""The vocabulary of the staff directory and case list, and the line-management tree's rules.

Pure domain code: no SQL, no Slack (PRODUCT.md sections 1 and 8).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

#: The role keys of PRODUCT.md section 1. ``auditor`` is not among them: it is a flag (the
#: staff file's ``auditor`` column), combined with any of these roles.
ROLE_KEYS: tuple[str, ...] = (
    "practitioner",
    "team_manager",
    "deputy_team_manager",
    "service_manager",
    "head_of_service",
    "assistant_director",
    "director",
    "iro",
    "cp_chair",
    "qa_lead",
    "principal_social_worker",
)

#: The case types of the cases file (PRODUCT.md section 8), spelled as stored.
CASE_TYPES: tuple[str, ...] = ("CIN", "CP", "CLA", "care_leaver", "early_help")

K = TypeVar("K", bound=Hashable)


def line_manager_cycles(managers: Mapping[K, K | None]) -> list[list[K]]:
    """Every cycle in a line-management graph (person -> their line manager), each once.

    A cycle is returned as the people in it, starting from the one met first in
    ``managers``' order, so the report is stable. Someone managed by themselves is a
    cycle of one. Managers missing from ``managers`` end a chain (they manage nobody here).
    """
    # Colouring walk: each person is visited once, so this is linear in the staff count.
    state: dict[K, int] = {}  # 1 = on the current chain, 2 = finished
    cycles: list[list[K]] = []
    for start in managers:
        if start in state:
            continue
        chain: list[K] = []
        person: K | None = start
        while person is not None and person not in state:
            state[person] = 1
            chain.append(person)
            person = managers.get(person)
        if person is not None and state.get(person) == 1:
            cycles.append(chain[chain.index(person) :])
        for member in chain:
            state[member] = 2
    return cycles

"""The line-management rules of the directory, and the synthetic organisations tests use."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.domain.directory import CASE_TYPES, ROLE_KEYS, line_manager_cycles
from tests.fakes.org import make_org


def test_a_tree_has_no_cycles() -> None:
    assert line_manager_cycles({"p": "tm", "tm": "sm", "sm": None, "q": "tm"}) == []


def test_cycles_are_found_once_each_including_self_management() -> None:
    managers = {"a": "b", "b": "c", "c": "a", "d": "a", "e": "e", "f": None}
    assert line_manager_cycles(managers) == [["a", "b", "c"], ["e"]]


def test_a_manager_outside_the_map_ends_the_chain() -> None:
    assert line_manager_cycles({"a": "outside"}) == []


def test_a_full_scale_org_has_the_shape_of_section_9() -> None:
    org = make_org()
    assert (len(org.teams), len(org.staff), len(org.cases)) == (150, 2000, 25000)
    roles = Counter(role for person in org.staff for role in person.roles)
    assert roles["team_manager"] == 150
    assert roles["director"] == 1 and roles["principal_social_worker"] == 1
    assert 0 < roles["deputy_team_manager"] < 150
    assert roles["head_of_service"] == len(org.services)
    assert all(roles[key] for key in ROLE_KEYS)
    assert {case.case_type for case in org.cases} == set(CASE_TYPES)
    assert len({p.email for p in org.staff}) == len({p.slack_user_id for p in org.staff}) == 2000
    assert len({case.case_ref for case in org.cases}) == 25000


def test_line_managers_form_one_tree_up_to_the_director() -> None:
    org = make_org(teams=20, staff=300, cases=0, seed=7)
    managers = {p.email: p.line_manager_email for p in org.staff}
    assert line_manager_cycles(managers) == []
    director = org.with_role("director")[0].email
    for person in org.staff:
        chain = org.chain(person.email)
        assert person.email == director or chain[-1] == director
    practitioner = org.with_role("practitioner")[0]
    titles = [org.person(e).roles[0] for e in org.chain(practitioner.email)]
    assert titles[-4:] == ["service_manager", "head_of_service", "assistant_director", "director"]
    assert titles[0] in ("team_manager", "deputy_team_manager")


def test_cases_belong_to_their_workers_team_and_name_a_chair_or_iro() -> None:
    org = make_org(teams=6, staff=120, cases=500, services=2, seed=1)
    for case in org.cases:
        assert org.person(case.worker_email).team == case.team
        involved_roles = {r for e in case.involved_emails for r in org.person(e).roles}
        if case.case_type == "CP":
            assert "cp_chair" in involved_roles
        if case.case_type == "CLA":
            assert "iro" in involved_roles


def test_the_same_seed_gives_the_same_org() -> None:
    assert make_org(teams=5, staff=80, cases=50, seed=2) == make_org(
        teams=5, staff=80, cases=50, seed=2
    )


def test_too_few_staff_for_the_teams_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        make_org(teams=50, staff=60, cases=0)

"""The QA lead runs a cycle from App Home over HTTP: create, preview, open, reassign, mark."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from storage.audit_models import Audit
from storage.db import unit_of_work
from storage.models import AuditLogEntry
from tests.fakes.slack_api import Call
from tests.fakes.slack_requests import (
    datepicker,
    multi_static_select,
    number_input,
    radio_buttons,
    state,
    static_select,
    text_input,
    users_select,
)
from tests.harness import Bot
from tests.integration.cycle_support import (
    allocated_cycle,
    audits_of,
    button_values,
    cycle_row,
    new_cycle,
    seed_org,
)

HOME = {"id": "VHOME", "type": "home"}


def create_form(*, opens: str = "2026-12-01", due: str | None = "2027-01-12",
                kind: str | None = "thematic", count: str | None = None,
                teams: str | None = None) -> dict[str, Any]:
    """The create modal's state.values as Slack sends them."""
    return state(
        name={"name": text_input("Synthetic thematic: CP plans")},
        kind={"kind": static_select(kind)},
        theme={"theme": text_input("Synthetic theme")},
        opens={"opens": datepicker(opens)},
        due={"due": datepicker(due)},
        moderation_due={"moderation_due": datepicker(None)},
        lookback={"lookback": static_select("12")},
        sample_rule={"sample_rule": radio_buttons("sample" if count else "per_auditor")},
        sample_count={"sample_count": number_input(count)},
        moderation_fraction={"moderation_fraction": number_input("0.5")},
        case_types={"case_types": multi_static_select(["CP"])},
        teams={"teams": text_input(teams)},
        services={"services": text_input(None)},
    )


def home_of(bot: Bot, user: str, event_id: str) -> Call:
    """The App Home published for ``user`` after they open it now."""

    def theirs(c: Call) -> bool:
        return c.method == "views.publish" and c.params["user_id"] == user

    before = len([c for c in bot.slack.calls if theirs(c)])
    bot.http.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=event_id)
    return bot.slack.wait_for(theirs, count=before + 1)[-1]


def modal_showing(bot: Bot, text: str, method: str = "views.update") -> Call:
    """The first modal call whose view says ``text`` (the work runs after the ack)."""
    [call, *_] = bot.slack.wait_for(
        lambda c: c.method == method and text in str(c.params["view"]), timeout=10
    )
    return call


def test_the_qa_lead_creates_a_cycle_in_the_modal_errors_at_the_field_then_good(
    bot: Bot,
) -> None:
    org = seed_org(bot.engine, bot.slack)
    result = bot.http.action("cycle.create", "new", user_id=org.qa_lead, view=HOME)
    assert result.status == 200 and result.elapsed < 3
    opened = modal_showing(bot, "Create audit cycle", "views.open")
    assert opened.params["view"]["callback_id"] == "cycle.create"

    bad = bot.http.submit_view(
        "cycle.create", create_form(due="2026-11-30", kind=None, teams="Team 001, Nowhere"),
        user_id=org.qa_lead, view_id="VC1",
    ).json()
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"due", "kind", "teams"}
    assert "after the opening date" in bad["errors"]["due"]
    assert "Nowhere" in bad["errors"]["teams"]
    missing = bot.http.submit_view("cycle.create", create_form(count=None) | {
        "sample_rule": {"sample_rule": radio_buttons("sample")}}, user_id=org.qa_lead,
        view_id="VC1").json()
    assert missing["errors"] == {"sample_count": "Give the total sample."}

    good = bot.http.submit_view("cycle.create", create_form(count="4"), user_id=org.qa_lead,
                                view_id="VC1")
    assert good.json()["response_action"] == "update"
    again = bot.http.submit_view("cycle.create", create_form(count="4"), user_id=org.qa_lead,
                                 view_id="VC1")  # the same submission, retried
    assert again.json()["response_action"] == "update"
    cycle = cycle_row(bot.engine, 1)
    assert (cycle.kind, cycle.sample, cycle.lookback_months, cycle.moderation_fraction) == (
        "thematic", 4, 12, 0.5)
    assert '"case_types": ["CP"]' in cycle.filters
    with unit_of_work(bot.engine) as session:
        created = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "cycle.create")).all()
    assert len(created) == 1  # a retried submission creates nothing more
    home = bot.slack.wait_for(lambda c: c.method == "views.publish"
                              and "Synthetic thematic" in str(c.params["view"]))[-1]
    assert button_values(home.params["view"]["blocks"], "cycle.preview") == ["1"]


def test_preview_then_open_sends_the_allocations(bot: Bot) -> None:
    org = seed_org(bot.engine, bot.slack)
    cycle_id = new_cycle(bot.engine)
    bot.http.action("cycle.preview", str(cycle_id), user_id=org.qa_lead, view=HOME)
    preview = modal_showing(bot, "the draw is complete and saved")
    text = str(preview.params["view"])
    assert "Opening would send: 20 auditors their allocations" in text
    assert cycle_row(bot.engine, cycle_id).status == "allocated"
    assert bot.slack.calls_to("chat.postMessage") == []  # nothing sent by a preview

    bot.http.action("cycle.open", str(cycle_id), user_id=org.qa_lead, view=HOME)
    modal_showing(bot, f"Cycle {cycle_id} is open.")
    audits = audits_of(bot.engine, cycle_id)
    auditors = {org.slack_ids[a.auditor_id] for a in audits}
    sent = bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                              and "to do in" in c.params["text"], count=len(auditors))
    assert {c.params["channel"] for c in sent} == auditors
    assert cycle_row(bot.engine, cycle_id).status == "open"

    # An auditor's App Home lists their audit with its Start audit button.
    auditor = audits[0].auditor_id
    home = home_of(bot, org.slack_ids[auditor], "EvCyc1")
    mine = [str(a.id) for a in audits if a.auditor_id == auditor]
    assert button_values(home.params["view"]["blocks"], "audit.start") == mine

    # Once submitted, the audit waits in its moderator's App Home with a Moderate button.
    with unit_of_work(bot.engine) as session:
        session.execute(update(Audit).where(col(Audit.id) == audits[0].id)
                        .values(status="submitted"))
        session.commit()
    moderator = org.slack_ids[audits[0].moderator_id or 0]
    home = home_of(bot, moderator, "EvCyc2")
    assert str(audits[0].id) in button_values(home.params["view"]["blocks"], "moderation.start")


def test_a_crafted_open_from_someone_else_is_refused_and_logged(bot: Bot) -> None:
    org = seed_org(bot.engine, bot.slack)
    cycle_id = allocated_cycle(bot.engine)
    intruder = org.synthetic.with_role("team_manager")[0].slack_user_id
    result = bot.http.action("cycle.open", str(cycle_id), user_id=intruder, view=HOME)
    assert result.status == 200
    modal_showing(bot, "Only the QA lead")
    assert cycle_row(bot.engine, cycle_id).status == "allocated"
    assert bot.slack.calls_to("chat.postMessage") == []
    with unit_of_work(bot.engine) as session:
        [entry] = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.outcome == "refused")).all()
    assert (entry.actor, entry.action, entry.record_id) == (intruder, "cycle.open",
                                                            str(cycle_id))


def test_reassign_errors_at_the_field_on_conflict_and_mark_unavailable_moves_work(
    bot: Bot,
) -> None:
    org = seed_org(bot.engine, bot.slack)
    cycle_id = allocated_cycle(bot.engine)
    audit = audits_of(bot.engine, cycle_id)[0]
    bot.http.action("audit.reassign", str(audit.id), user_id=org.qa_lead, view=HOME)
    opened = modal_showing(bot, "Reassign audit", "views.open")
    meta = opened.params["view"]["private_metadata"]
    worker_slack = org.slack_ids[audit.worker_id or 0]
    refused = bot.http.submit_view(
        "cycle.reassign", state(auditor={"auditor": users_select(worker_slack)}),
        user_id=org.qa_lead, private_metadata=meta, view_id="VR1",
    ).json()
    assert refused["response_action"] == "errors"
    assert "cannot audit" in refused["errors"]["auditor"]

    bot.http.action("cycle.unavailable", str(cycle_id), user_id=org.qa_lead, view=HOME)
    opened = modal_showing(bot, "Mark and reallocate", "views.open")
    away = org.slack_ids[audit.auditor_id]
    done = bot.http.submit_view(
        "cycle.unavailable",
        state(person={"person": users_select(away)}, reason={"reason": static_select("leave")}),
        user_id=org.qa_lead, private_metadata=opened.params["view"]["private_metadata"],
        view_id="VU1",
    ).json()
    assert done["response_action"] == "update"
    assert "is unavailable for this cycle" in str(done["view"])
    assert audit.auditor_id not in {a.auditor_id for a in audits_of(bot.engine, cycle_id)}


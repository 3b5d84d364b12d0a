"""Actions, supervision and EPDRs end to end: the daily nudge, its buttons acting in place,
verification, rejection, snoozes, App Home and `/qa`, over HTTP through the real app."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from bot.clock import FixedClock
from scheduling.jobs import JOBS
from storage.audit_models import Action, EpdrRecord, SupervisionRecord
from storage.db import unit_of_work
from storage.models import AuditLogEntry, Staff
from tests.fakes.slack_requests import (
    app_home_opened,
    datepicker,
    event_callback,
    state,
    static_select,
    text_input,
)
from tests.harness import Bot
from tests.scenario.loop_support import (
    OWNER,
    STRANGER,
    TM,
    WORKER,
    LoopOrg,
    add_action,
    add_session,
    seed_loop_org,
    set_epdr,
)

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def sweep(bot: Bot, clock: FixedClock, at: datetime = MONDAY) -> list[str]:
    clock.set(at)
    return JOBS["nudges.send"].body(bot.container, clock.now(), False)


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(action id, value) of every button in a message or view, in order."""
    return [(e["action_id"], e["value"]) for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def value_of(message: dict[str, Any], action_id: str, record_id: int | None = None) -> str:
    for found, value in buttons(message):
        if found == action_id and (record_id is None or json.loads(value)["id"] == record_id):
            return value
    raise AssertionError(f"no {action_id} button in {buttons(message)}")


def press(bot: Bot, user: str, action_id: str, value: str, message: dict[str, Any],
          key: str = "r") -> None:
    result = bot.http.action(action_id, value, user_id=user, message=message,
                             channel_id=bot.slack.dm_channel(user),
                             response_url=bot.slack.response_url(key))
    assert result.status == 200 and result.elapsed < 3


def updates(bot: Bot, count: int) -> list[Any]:
    return bot.slack.wait_for("chat.update", count=count)


def the_message(bot: Bot, user: str, index: int = 0) -> dict[str, Any]:
    """A message the bot sent to `user`, as it reads now (after any updates)."""
    return bot.slack.messages(user)[index]


def open_modal(bot: Bot, count: int = 1) -> dict[str, Any]:
    return bot.slack.wait_for("views.open", count=count)[-1].params["view"]


def action_row(bot: Bot, action_id: int) -> Action:
    with unit_of_work(bot.engine) as session:
        found = session.get(Action, action_id)
        assert found is not None
        return found


def two_actions(bot: Bot) -> tuple[LoopOrg, int, int]:
    org = seed_loop_org(bot.engine, bot.slack)
    first = add_action(bot.engine, org, date(2026, 11, 23), description="Synthetic: visit <b>")
    second = add_action(bot.engine, org, date(2026, 11, 16), position=1)
    return org, first, second


def test_the_daily_message_combines_items_and_its_buttons_act_in_place(
    bot: Bot, clock: FixedClock
) -> None:
    org, first, second = two_actions(bot)
    assert len(sweep(bot, clock)) == 1  # the owner's message (5 days overdue is not > 5)
    bot.slack.wait_for("chat.postMessage")
    [message] = bot.slack.messages(OWNER)
    assert message["text"] == "Your QA reminders for Mon 23 Nov (2 items)"
    text = str(message["blocks"])
    assert f"*Action {second}* on C0101" in text and "5 working days overdue" in text
    assert "Synthetic: visit &lt;b&gt;" in text and "Due today" in text
    assert [a for a, _ in buttons(message)] == ["action.done", "action.snooze_tomorrow",
                                                "action.snooze_week"] * 2

    # Snooze one till tomorrow: the same message now says so, and still offers Done.
    press(bot, OWNER, "action.snooze_tomorrow", value_of(message, "action.snooze_tomorrow",
                                                          first), message)
    [update] = updates(bot, 1)
    assert update.params["ts"] == message["ts"]
    now = the_message(bot, OWNER)
    assert "Snoozed until Tue 24 Nov" in str(now["blocks"])
    assert action_row(bot, first).snoozed_until == date(2026, 11, 24)
    assert len(bot.slack.messages(OWNER)) == 1  # updated, not a new message

    # Done opens a modal for the evidence; submitting it updates the message in place and
    # asks the team manager to verify.
    press(bot, OWNER, "action.done", value_of(now, "action.done", second), now)
    modal = open_modal(bot)
    assert modal["callback_id"] == "action.done_form"
    empty = bot.http.submit_view("action.done_form", state(evidence={"evidence": text_input("")}),
                                 private_metadata=modal["private_metadata"], user_id=OWNER)
    assert empty.json() == {"response_action": "errors",
                            "errors": {"evidence": "Please fill this in."}}
    result = bot.http.submit_view(
        "action.done_form", state(evidence={"evidence": text_input("Synthetic: plan on file")}),
        private_metadata=modal["private_metadata"], user_id=OWNER, view_id="VDONE1")
    assert result.status == 200 and result.body == ""
    updates(bot, 2)
    after = str(the_message(bot, OWNER)["blocks"])
    assert "Marked done on Mon 23 Nov: awaiting verification" in after
    assert "Snoozed until Tue 24 Nov" in after  # the other item's state is kept
    assert action_row(bot, second).status == "done"
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == TM)
    verify = bot.slack.messages(TM)
    assert [m["text"] for m in verify] == ["An action is ready for you to verify"]
    assert "Synthetic: plan on file" in str(verify[0]["blocks"])

    # The team manager verifies: closed, the owner is told, the verify message updated.
    press(bot, TM, "action.verify", value_of(verify[0], "action.verify"), verify[0])
    updates(bot, 3)
    assert action_row(bot, second).status == "closed"
    assert action_row(bot, second).verified_by_id == org.id(TM)
    told = bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                              and c.params["channel"] == OWNER, count=2)[-1]
    assert told.params["text"] == "Your action is verified and closed"
    tm_now = [m for m in bot.slack.messages(TM) if "ready for you to verify" in m["text"]][0]
    assert "Verified and closed on Mon 23 Nov" in str(tm_now["blocks"])
    assert buttons(tm_now) == []


def test_a_rejected_action_goes_back_to_open_with_the_reason_and_the_owner_is_told(
    bot: Bot, clock: FixedClock
) -> None:
    org, first, _ = two_actions(bot)
    sweep(bot, clock)
    bot.slack.wait_for(lambda c: c.params.get("channel") == OWNER)
    now = the_message(bot, OWNER)
    press(bot, OWNER, "action.done", value_of(now, "action.done", first), now)
    modal = open_modal(bot)
    bot.http.submit_view("action.done_form", state(evidence={"evidence": text_input("Done.")}),
                         private_metadata=modal["private_metadata"], user_id=OWNER,
                         view_id="VDONE2")
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == TM)
    verify = [m for m in bot.slack.messages(TM) if "ready for you to verify" in m["text"]][0]
    press(bot, TM, "action.reject", value_of(verify, "action.reject"), verify)
    reject = open_modal(bot, 2)
    assert reject["callback_id"] == "action.reject_form"
    bot.http.submit_view("action.reject_form",
                         state(reason={"reason": text_input("Synthetic: the plan is unsigned")}),
                         private_metadata=reject["private_metadata"], user_id=TM,
                         view_id="VREJ1")
    told = bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                              and c.params["channel"] == OWNER, count=2)[-1]
    assert told.params["text"] == "Your action was not accepted: it is open again"
    assert "Not accepted: Synthetic: the plan is unsigned" in str(told.params["blocks"])
    assert [a for a, _ in buttons(told.params)][0] == "action.done"  # mark it done again
    row = action_row(bot, first)
    assert (row.status, row.done_on, row.rejected_reason) == (
        "open", None, "Synthetic: the plan is unsigned")
    with unit_of_work(bot.engine) as session:
        entries = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.record_type == "action")).all()
    assert [e.action for e in entries] == ["action.done", "action.reject"]
    assert all("unsigned" not in (e.after or "") and "Done." not in (e.after or "")
               for e in entries)  # the log keeps states and dates, never the words


def test_someone_elses_action_is_refused_and_the_refusal_logged(
    bot: Bot, clock: FixedClock
) -> None:
    org, first, _ = two_actions(bot)
    sweep(bot, clock)
    bot.slack.wait_for(lambda c: c.params.get("channel") == OWNER)
    message = the_message(bot, OWNER)
    crafted = json.dumps({"id": first, "m": f"nudge:{org.id(OWNER)}:2026-11-23"})
    press(bot, STRANGER, "action.snooze_week", crafted, message, key="stranger")
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert answer.params["text"] == f"Only its owner can do that with action {first}."
    press(bot, OWNER, "action.verify", crafted, message, key="owner")  # not their own
    bot.slack.wait_for(lambda c: c.method == "response_url", count=2)
    assert action_row(bot, first).snoozed_until is None
    assert action_row(bot, first).status == "open"
    assert bot.slack.calls_to("chat.update") == []
    with unit_of_work(bot.engine) as session:
        refused = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.outcome == "refused")).all()
    assert [(e.actor, e.action, e.record_id) for e in refused] == [
        (STRANGER, "action.snooze", str(first)), (OWNER, "action.verify", str(first))]


def test_the_same_submission_twice_acts_once(bot: Bot, clock: FixedClock) -> None:
    org, first, _ = two_actions(bot)
    meta = json.dumps({"id": first, "m": None, "held": True, "home": False})
    form = state(evidence={"evidence": text_input("Synthetic evidence")})
    for _ in range(2):
        result = bot.http.submit_view("action.done_form", form, private_metadata=meta,
                                      user_id=OWNER, view_id="VSAME")
        assert result.status == 200
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    bot.http.command("/qa", "", user_id=TM, response_url=bot.slack.response_url("qa"))
    bot.slack.wait_for("response_url")  # everything before it has been handled
    assert len([c for c in bot.slack.calls_to("chat.postMessage")
                if c.params["channel"] == TM]) == 1
    with unit_of_work(bot.engine) as session:
        done = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "action.done")).all()
    assert len(done) == 1


def test_a_snooze_never_runs_past_the_day_the_team_manager_must_be_told(
    bot: Bot, clock: FixedClock
) -> None:
    org = seed_loop_org(bot.engine, bot.slack)
    # Due Monday 16 November: the team manager must be told on Tuesday 24 (6th working day).
    action_id = add_action(bot.engine, org, date(2026, 11, 16))
    sweep(bot, clock, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    bot.slack.wait_for(lambda c: c.params.get("channel") == OWNER)
    message = the_message(bot, OWNER)
    press(bot, OWNER, "action.snooze_week", value_of(message, "action.snooze_week"), message,
          key="snooze")
    [note] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert note.params["text"].startswith("Snoozed until Tuesday 24 November")
    assert action_row(bot, action_id).snoozed_until == date(2026, 11, 24)
    # On Tuesday both the owner (their snooze ended) and the team manager hear of it.
    lines = sweep(bot, clock, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    assert sorted(lines) == [f"nudged lown@example.org: action:{action_id} (snoozed)",
                             f"nudged ltm@example.org: action:{action_id} (escalation tm)"]


def test_supervision_recorded_from_the_nudge_updates_it_in_place(
    bot: Bot, clock: FixedClock
) -> None:
    org = seed_loop_org(bot.engine, bot.slack)
    add_session(bot.engine, org, WORKER, date(2026, 10, 26))  # due today
    set_epdr(bot.engine, org, OWNER, date(2026, 11, 23), review_done=date(2026, 6, 1))
    sweep(bot, clock)
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    message = the_message(bot, TM)
    assert message["text"] == "Your QA reminders for Mon 23 Nov (2 items)"
    assert [a for a, _ in buttons(message)] == ["supervision.record", "supervision.missed",
                                                "epdr.done"]
    # A missed session needs its reason, and no date in the future.
    press(bot, TM, "supervision.missed", value_of(message, "supervision.missed"), message)
    missed = open_modal(bot)
    bad = bot.http.submit_view("supervision.form", state(
        on={"on": datepicker("2026-11-30")}, kind={"kind": static_select("one_to_one")},
        reason={"reason": text_input("")}), private_metadata=missed["private_metadata"],
        user_id=TM)
    assert bad.json()["errors"] == {"on": "The date cannot be in the future.",
                                    "reason": "Please fill this in."}
    press(bot, TM, "supervision.record", value_of(message, "supervision.record"), message)
    held = open_modal(bot, 2)
    assert held["callback_id"] == "supervision.form"
    assert "Synthetic WK" in str(held["blocks"])
    good = bot.http.submit_view("supervision.form", state(
        on={"on": datepicker("2026-11-23")}, kind={"kind": static_select("reflective")}),
        private_metadata=held["private_metadata"], user_id=TM, view_id="VSUP1")
    assert good.status == 200 and good.body == ""
    updates(bot, 1)
    now = the_message(bot, TM)
    assert "Session on Mon 23 Nov recorded" in str(now["blocks"])
    assert [a for a, _ in buttons(now)] == ["epdr.done"]
    with unit_of_work(bot.engine) as session:
        record = session.exec(select(SupervisionRecord).where(
            SupervisionRecord.held_on == date(2026, 11, 23))).one()
    assert (record.supervisor_id, record.supervisee_id, record.kind, record.held) == (
        org.id(TM), org.id(WORKER), "reflective", True)
    # The EPDR done today: recorded, the next one a year on, the message updated again.
    press(bot, TM, "epdr.done", value_of(now, "epdr.done"), now)
    updates(bot, 2)
    assert "Recorded as done on Mon 23 Nov" in str(the_message(bot, TM)["blocks"])
    with unit_of_work(bot.engine) as session:
        assert session.exec(select(EpdrRecord.kind).where(EpdrRecord.kind == "annual")).all() \
            == ["annual"]
        owner = session.get(Staff, org.id(OWNER))
        assert owner is not None and owner.epdr_due == date(2027, 11, 23)
    # Only the line manager records: the stranger is refused.
    press(bot, STRANGER, "epdr.done", value_of(now, "epdr.done"), now, key="s")
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    assert answer.params["text"] == "Only their line manager can record their EPDR."


def home_of(bot: Bot, user: str, event_id: str) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.publish"))
    bot.http.event(event_callback(app_home_opened(user_id=user), event_id=event_id))
    calls = bot.slack.wait_for("views.publish", count=before + 1)
    return [c for c in calls if c.params["user_id"] == user][-1].params["view"]


def test_app_home_and_qa_list_actions_verifications_and_supervisees_with_buttons(
    bot: Bot, clock: FixedClock
) -> None:
    org, first, second = two_actions(bot)
    add_session(bot.engine, org, WORKER, date(2026, 10, 26))
    home = home_of(bot, OWNER, "EvL1")
    assert [(a, v) for a, v in buttons(home)] == [("action.done", str(second)),
                                                  ("action.done", str(first))]
    # Done from App Home: the modal, then App Home is published again with the new state.
    publishes = len(bot.slack.calls_to("views.publish"))
    bot.http.action("action.done", str(second), user_id=OWNER,
                    view={"id": "VHOME", "type": "home"})
    modal = open_modal(bot)
    assert json.loads(modal["private_metadata"])["home"] is True
    bot.http.submit_view("action.done_form", state(evidence={"evidence": text_input("Done.")}),
                         private_metadata=modal["private_metadata"], user_id=OWNER,
                         view_id="VHOMEDONE")
    bot.slack.wait_for("views.publish", count=publishes + 1)
    republished = bot.slack.calls_to("views.publish")[-1].params["view"]
    assert "awaiting verification" in str(republished["blocks"])
    tm_home = home_of(bot, TM, "EvL2")
    # The worker's supervision is due today; the owner's has no session to count from.
    assert [a for a, _ in buttons(tm_home)] == ["action.verify", "action.reject",
                                                "supervision.record", "supervision.missed"]
    assert "Supervision: Synthetic WK" in str(tm_home["blocks"])
    bot.http.command("/qa", "", user_id=TM, response_url=bot.slack.response_url("qa"))
    [answer] = bot.slack.wait_for(lambda c: c.method == "response_url")
    ids = [e["action_id"] for b in answer.params["blocks"] if b["type"] == "actions"
           for e in b["elements"]]
    assert ids == ["action.verify", "action.reject", "supervision.record", "supervision.missed"]
    # `/qa supervision` lists every supervisee, so a first session can be recorded too.
    bot.http.command("/qa", "supervision", user_id=TM,
                     response_url=bot.slack.response_url("qa2"))
    listing = bot.slack.wait_for(lambda c: c.method == "response_url", count=2)[-1].params
    assert listing["text"] == "Your supervisees (2)"
    text = str(listing["blocks"])
    assert "*Synthetic WK*: last session Mon 26 Oct 2026, next due Mon 23 Nov 2026 (due today)" \
        in text and "*Synthetic OWN*: last session none recorded (no session recorded yet)" in text
    assert [(a, v) for a, v in buttons(listing)] == [
        ("supervision.record", str(org.id(WORKER))), ("supervision.missed", str(org.id(WORKER))),
        ("supervision.record", str(org.id(OWNER))), ("supervision.missed", str(org.id(OWNER)))]


def test_a_long_day_stays_within_fifty_blocks_and_counts_the_rest(
    bot: Bot, clock: FixedClock
) -> None:
    org = seed_loop_org(bot.engine, bot.slack)
    for position in range(30):
        add_action(bot.engine, org, date(2026, 11, 23), position=position)
    sweep(bot, clock)
    [post] = bot.slack.wait_for(lambda c: c.params.get("channel") == OWNER)
    blocks = post.params["blocks"]
    assert len(blocks) <= 50
    assert post.params["text"] == "Your QA reminders for Mon 23 Nov (30 items)"
    assert "…and 7 more — see App Home." in str(blocks)


def test_a_team_manager_reviews_an_audit_action_a_month_on(bot: Bot, clock: FixedClock) -> None:
    org = seed_loop_org(bot.engine, bot.slack)
    action_id = add_action(bot.engine, org, date(2027, 1, 29), source="audit",
                           created_at=datetime(2026, 10, 23, 11, 0, tzinfo=UTC))
    lines = sweep(bot, clock)
    assert lines == [f"nudged ltm@example.org: action:{action_id} (review 1)"]
    bot.slack.wait_for(lambda c: c.params.get("channel") == TM)
    message = the_message(bot, TM)
    assert "Review 1: is this done?" in str(message["blocks"])
    press(bot, TM, "action.not_yet", value_of(message, "action.not_yet"), message)
    updates(bot, 1)
    assert "You answered: not done yet" in str(the_message(bot, TM)["blocks"])
    assert buttons(the_message(bot, TM)) == []
    with unit_of_work(bot.engine) as session:
        review = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "action.review")).one()
    assert '"answer": "not_yet"' in (review.after or "")
    assert action_row(bot, action_id).status == "open"

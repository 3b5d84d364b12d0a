"""`/qa-summary`, its chart and downloads, `/good-practice`, App Home and the reports, over HTTP."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import col, func, select

from bot.services.exports import TRACKERS
from scheduling.jobs import JOBS
from storage.audit_models import Action, GoodPractice
from storage.db import read_only, unit_of_work
from storage.models import AuditLogEntry
from tests.fakes.org import register_in_fake_slack
from tests.fakes.slack_api import Call
from tests.fakes.slack_requests import app_home_opened
from tests.harness import Bot
from tests.integration import summary_oracle as oracle
from tests.integration.summary_oracle import Ask
from tests.integration.summary_support import TODAY, Seeded, seed_summary_org

Q2 = Ask(datetime(2026, 7, 1).date(), datetime(2026, 9, 30).date())


@pytest.fixture
def seeded(bot: Bot) -> Seeded:
    found = seed_summary_org(bot.engine)
    register_in_fake_slack(found.org, bot.slack)
    return found


def summary_to(bot: Bot, user: str) -> Call:
    [posted] = bot.slack.wait_for("chat.postMessage", channel=user)
    return posted


def buttons(message: Call) -> dict[tuple[str, str], str]:
    """The download buttons of a summary: (tracker, format) -> value."""
    found = {}
    for block in message.params["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            request = json.loads(element["value"])
            found[(request["t"], request["f"])] = element["value"]
    return found


def uploaded(bot: Bot, count: int = 1) -> bytes:
    """The bytes of the `count`th file uploaded."""
    bot.slack.wait_for("files.completeUploadExternal", count=count)
    files = [f for f in bot.slack.files() if f.completed]
    assert files[count - 1].data is not None
    return files[count - 1].data


def replies(bot: Bot, count: int = 1) -> list[str]:
    return [c.params.get("text", "") for c in bot.slack.wait_for("response_url", count=count)]


def test_the_summary_is_acknowledged_at_once_then_sent_with_its_chart(
        bot: Bot, seeded: Seeded) -> None:
    qa_lead = seeded.slack_id("qa_lead")
    result = bot.http.command("/qa-summary", "all 2026-Q2", user_id=qa_lead,
                              response_url=bot.slack.response_url("s1"))
    assert result.status == 200 and result.elapsed < 3
    assert "Working on your summary" in result.body
    message = summary_to(bot, qa_lead)
    assert message.params["text"].startswith("QA summary: all teams, 2026-Q2")
    text = json.dumps(message.params["blocks"])
    want = oracle.figures(seeded.data, Q2, TODAY)
    assert f"Audits allocated: *{want['audits_allocated']}*" in text
    assert f"Practice Alerts raised: *{want['alerts_raised']}*" in text
    assert "on 2026-Q1" in text  # the change against the previous period
    assert set(buttons(message)) == {(t, f) for t in TRACKERS for f in ("xlsx", "csv")}
    png = uploaded(bot)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] > 500
    image.verify()
    [upload] = bot.slack.calls_to("files.completeUploadExternal")
    assert upload.params["channel_id"] == bot.slack.dm_channel(qa_lead)


def test_a_team_manager_asking_for_another_team_or_all_is_refused_in_words(
        bot: Bot, seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 001")
    for i, words in enumerate(("Team 002", "all")):
        result = bot.http.command("/qa-summary", words, user_id=manager,
                                  response_url=bot.slack.response_url(f"r{i}"))
        assert result.status == 200 and result.elapsed < 3
    texts = replies(bot, count=2)
    assert sorted(t.split(":")[0] for t in texts) == [
        "Sorry, you can't see the summary for Team 002",
        "Sorry, you can't see the summary for all teams"]
    assert all("your own team's summaries" in t for t in texts)
    assert bot.slack.calls_to("chat.postMessage") == []
    assert bot.slack.calls_to("files.completeUploadExternal") == []


def test_a_practitioner_sees_only_their_own(bot: Bot, seeded: Seeded) -> None:
    person = next(p for p in seeded.org.with_role("practitioner") if p.team == "Team 003")
    bot.http.command("/qa-summary", "Team 003", user_id=person.slack_user_id,
                     response_url=bot.slack.response_url("p1"))
    [refused] = replies(bot)
    assert "you can see your own summary" in refused
    bot.http.command("/qa-summary", "", user_id=person.slack_user_id,
                     response_url=bot.slack.response_url("p2"))
    message = summary_to(bot, person.slack_user_id)
    assert f"QA summary: {person.name} (your own work)" in message.params["text"]


def test_a_stranger_gets_the_polite_refusal_only(bot: Bot, seeded: Seeded) -> None:
    bot.http.command("/qa-summary", "all", user_id="U9999999",
                     response_url=bot.slack.response_url("x"))
    [refused] = replies(bot)
    assert "QA directory" in refused
    assert bot.slack.calls_to("chat.postMessage") == []


def test_the_buttons_deliver_the_scopes_trackers_as_xlsx_and_csv(bot: Bot,
                                                                  seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 001")
    dm = bot.slack.dm_channel(manager)
    bot.http.command("/qa-summary", "", user_id=manager, response_url=bot.slack.response_url())
    values = buttons(summary_to(bot, manager))
    uploaded(bot)  # the chart
    bot.http.action("summary.download_xlsx", values[("alerts", "xlsx")], user_id=manager,
                    channel_id=dm, response_url=bot.slack.response_url("d1"))
    book = load_workbook(io.BytesIO(uploaded(bot, 2)), read_only=True)
    assert book.sheetnames == ["alerts", "about"]
    rows = list(book["alerts"].iter_rows(values_only=True))
    assert rows[0][:4] == ("reference", "case_ref", "team", "category")
    team = seeded.team_ids["Team 001"]
    assert len(rows) - 1 == sum(1 for a in seeded.data.alerts if a["team_id"] == team)
    assert {r[2] for r in rows[1:]} == {"Team 001"}
    bot.http.action("summary.download_csv", values[("actions", "csv")], user_id=manager,
                    channel_id=dm, response_url=bot.slack.response_url("d2"))
    lines = uploaded(bot, 3).decode().splitlines()
    assert lines[0].startswith("action_id,source,case_ref,team,")
    assert len(lines) - 1 == sum(1 for a in seeded.data.actions if a["team_id"] == team)
    # Pressed again: nothing twice.
    bot.http.action("summary.download_csv", values[("actions", "csv")], user_id=manager,
                    channel_id=dm, response_url=bot.slack.response_url("d3"))
    assert "already in your messages" in replies(bot)[0]
    assert len([f for f in bot.slack.files() if f.completed]) == 3


def test_a_crafted_button_for_another_scope_is_refused_and_logged(bot: Bot,
                                                                  seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 001")
    forged = json.dumps({"r": "forged", "t": "alerts", "f": "csv", "s": "all"})
    bot.http.action("summary.download_csv", forged, user_id=manager,
                    response_url=bot.slack.response_url("f"))
    assert "Sorry, you can't see the summary for all teams" in replies(bot)[0]
    assert bot.slack.calls_to("files.completeUploadExternal") == []
    with read_only(bot.engine) as session:
        [entry] = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "summary.download")).all()
    assert (entry.outcome, entry.record_id, entry.actor) == ("refused", "all", manager)


def test_good_practice_tells_three_people_and_counts(bot: Bot, seeded: Seeded) -> None:
    qa_lead = seeded.slack_id("qa_lead")
    person = next(p for p in seeded.org.with_role("practitioner") if p.team == "Team 002")
    manager = seeded.org.person(person.line_manager_email or "")
    case = next(c.case_ref for c in seeded.org.cases if c.worker_email == person.email)
    words = f"<@{person.slack_user_id}|{person.name}> {case} Synthetic: the child's plan is clear"
    payload: dict[str, Any] = {"user_id": qa_lead, "response_url": bot.slack.response_url("g"),
                               "trigger_id": "13345224609.7384.gp1"}
    assert bot.http.command("/good-practice", words, **payload).status == 200
    bot.http.command("/good-practice", words, **payload)  # the same request again
    confirmations = replies(bot, count=2)
    assert all(f"good practice by {person.name} on {case}" in t for t in confirmations)
    bot.slack.wait_for("chat.postMessage", count=2)
    told = {c.params["channel"]: c.params["text"] for c in bot.slack.calls_to("chat.postMessage")}
    assert set(told) == {person.slack_user_id, manager.slack_user_id}  # the giver is the QA lead
    assert "Thank you!" in told[person.slack_user_id]
    assert f"Good practice by {person.name} on {case}" in told[manager.slack_user_id]
    with read_only(bot.engine) as session:
        assert session.exec(select(func.count()).select_from(GoodPractice).where(
            col(GoodPractice.source_key).startswith("command:"))).one() == 1
        [logged] = session.exec(select(AuditLogEntry).where(
            AuditLogEntry.action == "good_practice.recorded")).all()
    assert "Synthetic" not in (logged.after or "")
    bot.slack.reset()
    bot.http.command("/qa-summary", "Team 002 2026-Q3", user_id=qa_lead,
                     response_url=bot.slack.response_url("c"))
    in_q3 = Ask(datetime(2026, 10, 1).date(), datetime(2026, 12, 31).date(),
                team_ids=frozenset({seeded.team_ids["Team 002"]}))
    counted = oracle.figures(seeded.data, in_q3, TODAY)["good_practice"] + 1
    assert f"Good practice records: *{counted}*" in json.dumps(summary_to(bot, qa_lead).params)


@pytest.mark.parametrize(("words", "answer"), [
    ("", "Say whose good practice"),
    ("<@U0000099> C9999999 Synthetic words", "I don't know the case reference C9999999"),
    ("<@U7777777> Synthetic words", "I can't find <@U7777777>"),
    ("<@U0000099>", "Say what was good"),
])
def test_good_practice_problems_are_answered_in_words(bot: Bot, seeded: Seeded, words: str,
                                                      answer: str) -> None:
    someone = next(p for p in seeded.org.with_role("practitioner")).slack_user_id
    words = words.replace("U0000099", someone)
    bot.http.command("/good-practice", words, user_id=seeded.slack_id("qa_lead"),
                     response_url=bot.slack.response_url())
    assert answer in replies(bot)[0]
    bot.http.command("/good-practice", f"<@{someone}> Synthetic: kind words", user_id=someone,
                     response_url=bot.slack.response_url("self"))
    assert "someone else" in replies(bot, count=2)[1]
    assert bot.slack.calls_to("chat.postMessage") == []


def test_app_home_gives_leaders_their_headline_within_100_blocks_with_pages(
        bot: Bot, seeded: Seeded) -> None:
    manager = seeded.team_manager_of("Team 001")
    staff_id = seeded.staff_id(manager)
    with unit_of_work(bot.engine) as session:
        for i in range(60):
            session.add(Action(authority_id=1, source="alert", source_id=900_000 + i,
                               team_id=seeded.team_ids["Team 001"], owner_id=staff_id,
                               description=f"Synthetic action {i}", due=TODAY,
                               created_at=datetime(2026, 11, 1, tzinfo=UTC)))
        session.commit()
    bot.http.event(app_home_opened(user_id=manager), event_id="EvHome1")
    [first] = bot.slack.wait_for("views.publish", user_id=manager)
    blocks = first.params["view"]["blocks"]
    assert len(blocks) <= 100
    text = json.dumps(blocks)
    assert "Team 001, 2026-Q3" in text and "Audits overdue" in text
    [pager] = [b for b in blocks if b.get("block_id") == "home.pages"]
    [more] = pager["elements"]
    assert (more["action_id"], more["value"]) == ("home.page_next", "1")
    bot.http.action("home.page_next", "1", user_id=manager,
                    view={"type": "home", "id": "VHOME", "blocks": blocks})
    second = bot.slack.wait_for("views.publish", user_id=manager, count=2)[1]
    page_two = second.params["view"]["blocks"]
    assert len(page_two) <= 100 and "Page 2 of" in json.dumps(page_two)
    assert page_two[2:5] != blocks[2:5]
    [pager] = [b for b in page_two if b.get("block_id") == "home.pages"]
    assert pager["elements"][0]["action_id"] == "home.page_previous"
    practitioner = next(p for p in seeded.org.with_role("practitioner")).slack_user_id
    bot.http.event(app_home_opened(user_id=practitioner), event_id="EvHome2")
    [theirs] = bot.slack.wait_for("views.publish", user_id=practitioner)
    assert "Audits overdue" not in json.dumps(theirs.params["view"])


def test_the_weekly_digest_reaches_each_team_manager_once_however_often_it_runs(
        bot: Bot, seeded: Seeded) -> None:
    for _ in range(2):
        JOBS["reports.digest"].body(bot.container, bot.container.clock.now(), False)
    managers = {seeded.team_manager_of(t.name) for t in seeded.org.teams}
    managers |= {p.slack_user_id for p in seeded.org.with_role("deputy_team_manager")}
    bot.slack.wait_for("chat.postMessage", count=len(managers))
    sent = [c.params["channel"] for c in bot.slack.calls_to("chat.postMessage")]
    assert sorted(sent) == sorted(managers)
    assert all("overdue this week (2026-W48)" in c.params["text"]
               for c in bot.slack.calls_to("chat.postMessage"))

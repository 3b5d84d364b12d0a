"""The audit form and moderation end to end over HTTP against the fake Slack."""

from __future__ import annotations

import json

from sqlmodel import col, select

from bot.clock import FixedClock
from storage.alert_models import Alert
from storage.audit_models import Action
from storage.db import unit_of_work
from storage.models import OutboxMessage, Staff
from tests.fakes.slack_requests import modal_view
from tests.harness import Bot
from tests.scenario.alert_support import DTM, HOS, STRANGER, TM
from tests.scenario.audit_support import (
    AUDITOR,
    MODERATOR,
    WORKER,
    actions_state,
    audit_row,
    block,
    compare_state,
    deliver,
    dm_texts,
    domains_state,
    fill_and_submit,
    form_row,
    grade_state,
    meta,
    moderate,
    overall_state,
    refusals,
    seed_audit,
    start,
    submit,
    texts_of,
)


def test_the_whole_journey_from_start_audit_to_the_moderated_grade(bot: Bot,
                                                                  clock: FixedClock) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    # Start audit: a loading view at once, then the first step.
    view = start(bot, "audit.start", audit_id, AUDITOR)
    view_id = view["id"]
    assert view["callback_id"] == "audit.form" and view["notify_on_close"] is True
    assert view["title"]["text"] == "Audit: step 1 of 3"
    assert "C0001" in texts_of(view) and "never a child's or family's name" in texts_of(view)
    assert [o["value"] for o in block(view, "grade:child_voice")["element"]["options"]] == [
        "outstanding", "good", "requires_improvement", "inadequate"]
    assert audit_row(bot, audit_id).status == "in_progress"

    # A grade that is not on the scale (a crafted value): an error at the field, nothing saved.
    answer = submit(bot, audit_id, "domains", domains_state(planning="excellent"), view_id)
    assert answer == {"response_action": "errors", "errors": {
        "grade:planning": "Excellent is not a grade on your authority's scale."}}
    assert form_row(bot, audit_id) is None

    # Closing the modal keeps what was typed as the draft …
    typed = domains_state("requires_improvement", chronology="inadequate", assessment=None)
    assert bot.http.close_view("audit.form", user_id=AUDITOR, view=modal_view(
        "audit.form", view_id=view_id, values=typed,
        private_metadata=meta(audit_id, "domains"))).status == 200
    draft = form_row(bot, audit_id)
    assert draft is not None and draft.is_draft
    assert json.loads(draft.data)["domains"]["chronology"]["grade"] == "inadequate"

    # … and Start audit again restores it exactly.
    view = start(bot, "audit.start", audit_id, AUDITOR)
    view_id = view["id"]
    assert block(view, "grade:chronology")["element"]["initial_option"]["value"] == "inadequate"
    assert block(view, "grade:planning")["element"]["initial_option"]["value"] == (
        "requires_improvement")
    assert "initial_option" not in block(view, "grade:assessment")["element"]
    assert block(view, "comment:child_voice")["element"]["initial_value"] == (
        "Synthetic comment on child_voice.")

    # Save draft, a button inside the modal: saved, and the modal says so.
    typed = domains_state("requires_improvement", assessment="good")
    current = bot.slack.view(view_id)
    before = len(bot.slack.calls_to("views.update"))
    assert bot.http.action("audit.save_draft", str(audit_id), user_id=AUDITOR, view=modal_view(
        "audit.form", view_id=view_id, values=typed, hash=current["hash"],
        private_metadata=meta(audit_id, "domains"))).status == 200
    saved = bot.slack.wait_for("views.update", count=before + 1)[-1]
    assert "Draft saved at 10:00" in json.dumps(saved.params["view"])
    draft = form_row(bot, audit_id)
    assert draft is not None
    assert json.loads(draft.data)["domains"]["assessment"]["grade"] == "good"

    # The steps: each saves the draft and moves on with response_action update.
    answer = submit(bot, audit_id, "domains", typed, view_id)
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Audit: step 2 of 3"
    answer = submit(bot, audit_id, "overall", overall_state("requires_improvement",
                                                             rationale=None), view_id)
    assert answer["errors"] == {"rationale": "Say why: the overall grade needs a rationale."}
    answer = submit(bot, audit_id, "overall", overall_state("requires_improvement"), view_id)
    step3 = answer["view"]
    assert step3["submit"]["text"] == "Submit audit"
    assert block(step3, "action:1:owner")["element"]["initial_user"] == WORKER
    assert block(step3, "action:1:due")["element"]["initial_date"] == "2026-12-23"

    # Below Good with no action: refused at the field, nothing submitted.
    answer = submit(bot, audit_id, "actions", actions_state(), view_id)
    assert "below Good: add at least one action" in answer["errors"]["action:1:what"]
    assert answer["response_action"] == "errors"
    assert audit_row(bot, audit_id).status == "in_progress"
    answer = submit(bot, audit_id, "actions", actions_state(
        ("Synthetic: update the chronology", WORKER, "2026-12-23"),
        ("Synthetic: case discussion in supervision", TM, "2026-12-30")), view_id)
    assert answer["response_action"] == "update"
    assert "submitted, graded *Requires improvement*" in texts_of(answer["view"])

    audit = audit_row(bot, audit_id)
    assert (audit.status, audit.auditor_grade) == ("submitted", "requires_improvement")
    form = form_row(bot, audit_id)
    assert form is not None and not form.is_draft
    with unit_of_work(bot.engine) as session:
        actions = session.exec(select(Action).order_by(col(Action.position))).all()
        owners = {s.id: s.slack_user_id for s in session.exec(select(Staff)).all()}
    assert [(a.source, a.source_id, a.position, owners[a.owner_id], a.due.isoformat())
            for a in actions] == [("audit", audit_id, 0, WORKER, "2026-12-23"),
                                  ("audit", audit_id, 1, TM, "2026-12-30")]

    # Action owners, the team manager (and deputy) and the moderator are told.
    for person in (WORKER, DTM, MODERATOR):
        bot.slack.wait_for(lambda c, p=person: c.method == "chat.postMessage"
                           and c.params["channel"] == p)
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == TM,
                       count=2)
    assert dm_texts(bot, WORKER) == [
        "New action from the audit of C0001, due 2026-12-23"]
    summary = next(m for m in bot.slack.messages(TM) if "submitted" in m["text"])
    assert summary["text"] == "Audit of C0001 submitted: Requires improvement"
    assert "Synthetic: case discussion in supervision" in json.dumps(summary["blocks"])
    assert "Synthetic rationale" not in json.dumps(summary["blocks"])  # the record keeps it
    [request] = bot.slack.messages(MODERATOR)
    assert "Requires improvement" not in json.dumps(request)  # blind
    assert request["blocks"][-1]["elements"][0]["action_id"] == "moderation.start"
    assert bot.slack.messages(HOS) == []  # not Inadequate

    # The moderator's blind modal, then disagreeing with a reason.
    view = start(bot, "moderation.start", audit_id, MODERATOR)
    assert view["callback_id"] == "moderation.form"
    assert "auditor's overall grade:" not in texts_of(view)  # blind: shown on the next step
    assert "initial_option" not in block(view, "mod_grade")["element"]
    answer = submit(bot, audit_id, "grade", grade_state("inadequate"), view["id"],
                    user=MODERATOR, callback="moderation.form")
    compare = answer["view"]
    assert "The auditor's overall grade: *Requires improvement*" in texts_of(compare)
    assert block(compare, "moderated_grade")["element"]["initial_option"]["value"] == (
        "inadequate")
    answer = submit(bot, audit_id, "compare", compare_state(False, "inadequate"), view["id"],
                    user=MODERATOR, callback="moderation.form")
    assert answer["errors"] == {"reason": "Say why you disagree."}
    answer = submit(bot, audit_id, "compare", compare_state(
        False, "inadequate", "Synthetic: drift was not challenged."), view["id"],
        user=MODERATOR, callback="moderation.form")
    assert "the final grade is *Inadequate*" in texts_of(answer["view"])

    audit = audit_row(bot, audit_id)
    assert (audit.status, audit.moderated_grade, audit.moderation_agreed) == (
        "moderated", "inadequate", False)
    # Both are told and asked to discuss; the Inadequate grade reaches the head of service.
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                       and c.params["channel"] == AUDITOR)
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == HOS)
    deliver(bot)
    assert "Please discuss the difference with Synthetic UMOD" in json.dumps(
        bot.slack.messages(AUDITOR))
    assert "the moderator disagrees" in dm_texts(bot, MODERATOR)[-1]
    assert dm_texts(bot, HOS) == ["Inadequate grade: audit of C0001 (Team A)"]
    assert "by the moderator" in json.dumps(bot.slack.messages(HOS))


def test_an_inadequate_grade_reaches_the_head_of_service_once(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    view_id = start(bot, "audit.start", audit_id, AUDITOR)["id"]
    first = fill_and_submit(bot, audit_id, view_id, "inadequate",
                            actions=(("Synthetic: strategy discussion", WORKER, "2026-11-30"),))
    # The same view submitted again (a double click): the same answer, nothing done twice.
    again = submit(bot, audit_id, "actions", actions_state(
        ("Synthetic: strategy discussion", WORKER, "2026-11-30")), view_id)
    assert again == first
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == HOS)
    # The moderator agrees: Inadequate again, but the notice went once per audit.
    answer = moderate(bot, audit_id, "inadequate", compare_state(True))
    assert "you agreed with the auditor" in texts_of(answer["view"])
    deliver(bot)
    assert dm_texts(bot, HOS) == ["Inadequate grade: audit of C0001 (Team A)"]
    assert [t for t in dm_texts(bot, TM) if t.startswith("Inadequate")] == [
        "Inadequate grade: audit of C0001 (Team A)"]
    assert len(dm_texts(bot, WORKER)) == 1  # one action, told once
    with unit_of_work(bot.engine) as session:
        assert len(session.exec(select(Action)).all()) == 1
        keys = session.exec(select(OutboxMessage.key).where(
            col(OutboxMessage.key).like(f"audit:{audit_id}:inadequate:%"))).all()
    assert len(keys) == 3  # the head of service, the team manager and the deputy
    audit = audit_row(bot, audit_id)
    assert (audit.moderated_grade, audit.moderation_agreed) == ("inadequate", True)


def test_an_urgent_concern_raises_a_practice_alert_to_the_team_manager(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack, moderated=False)
    view_id = start(bot, "audit.start", audit_id, AUDITOR)["id"]
    answer = fill_and_submit(bot, audit_id, view_id, "good", urgent=True)
    assert "Practice Alert *PA-2026-0001*" in texts_of(answer["view"])
    received = bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                                  and c.params["channel"] == TM
                                  and "Practice Alert" in c.params["text"])
    assert received[0].params["text"] == "Urgent Practice Alert PA-2026-0001 on case C0001"
    assert "Synthetic: an injury not followed up." in json.dumps(received[0].params["blocks"])
    with unit_of_work(bot.engine) as session:
        [alert] = session.exec(select(Alert)).all()
        raiser = session.get(Staff, alert.raised_by_id)
    assert raiser is not None and raiser.slack_user_id == AUDITOR
    assert (alert.category, alert.severity) == ("safeguarding_concern", "urgent")
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage"
                       and c.params["channel"] == AUDITOR)
    assert dm_texts(bot, AUDITOR) == ["Practice Alert PA-2026-0001 raised on case C0001"]
    # The same view again: the same alert, named again, and nothing raised twice.
    again = submit(bot, audit_id, "actions", actions_state(), view_id)
    assert again == answer
    deliver(bot)
    with unit_of_work(bot.engine) as session:
        assert len(session.exec(select(Alert)).all()) == 1
    assert len(dm_texts(bot, AUDITOR)) == 1


def test_someone_elses_crafted_requests_are_refused_and_logged(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    view = start(bot, "audit.start", audit_id, STRANGER)
    assert "Only the auditor allocated to this audit" in texts_of(view)
    answer = submit(bot, audit_id, "actions", actions_state(("Synthetic", WORKER, "2026-12-23")),
                    "VCRAFTED", user=STRANGER)
    assert answer["response_action"] == "update"
    assert "Only the auditor allocated" in texts_of(answer["view"])
    closed = bot.http.close_view("audit.form", user_id=STRANGER, view=modal_view(
        "audit.form", values=domains_state(), private_metadata=meta(audit_id, "domains")))
    assert closed.status == 200
    view = start(bot, "moderation.start", audit_id, AUDITOR)
    assert "Only the moderator of this audit" in texts_of(view)
    answer = submit(bot, audit_id, "compare", compare_state(True), "VCRAFTED2", user=STRANGER,
                    callback="moderation.form")
    assert "Only the moderator of this audit" in texts_of(answer["view"])
    assert refusals(bot) == [(STRANGER, "audit.open", str(audit_id)),
                             (STRANGER, "audit.submit", str(audit_id)),
                             (STRANGER, "audit.draft", str(audit_id)),
                             (AUDITOR, "moderation.open", str(audit_id)),
                             (STRANGER, "moderation.submit", str(audit_id))]
    audit = audit_row(bot, audit_id)
    assert (audit.status, audit.auditor_grade) == ("allocated", None)
    assert form_row(bot, audit_id) is None
    assert bot.slack.calls_to("chat.postMessage") == []

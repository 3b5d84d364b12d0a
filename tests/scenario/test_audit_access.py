"""Reaching the audit and moderation forms (/qa, App Home), closed cycles, racing duplicates."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.services.exports import open_tracker
from bot.services.rule_settings import set_setting
from storage.audit_models import Audit, AuditForm
from storage.db import unit_of_work
from storage.models import AuditLogEntry
from tests.fakes.slack_requests import modal_view, radio_buttons, state
from tests.harness import Bot
from tests.scenario.alert_support import HOS
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
    grade_state,
    moderate,
    overall_state,
    seed_audit,
    start,
    submit,
    texts_of,
)


def test_a_closed_cycle_and_a_submitted_audit_cannot_be_changed(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack, cycle_status="closed")
    view = start(bot, "audit.start", audit_id, AUDITOR)
    assert "The cycle Synthetic cycle 1 is closed" in texts_of(view)
    with unit_of_work(bot.engine) as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        audit.status, audit.auditor_grade = "submitted", "good"
        session.add(audit)
        session.commit()
    view = start(bot, "moderation.start", audit_id, MODERATOR)
    assert "The cycle Synthetic cycle 1 is closed" in texts_of(view)


def test_qa_and_app_home_reach_the_audit_and_its_moderation(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)

    def qa_buttons(user: str) -> list[tuple[str, str]]:
        url = bot.slack.response_url(f"qa-{user}-{len(bot.slack.calls)}")
        bot.http.command("/qa", "", user_id=user, response_url=url)
        [answer] = bot.slack.wait_for(lambda c: c.method == "response_url"
                                      and c.path.endswith(url.rsplit("/", 1)[1]))
        return [(e["action_id"], e["value"]) for b in answer.params["blocks"]
                if b["type"] == "actions" for e in b["elements"]]

    assert ("audit.start", str(audit_id)) in qa_buttons(AUDITOR)
    assert ("moderation.start", str(audit_id)) not in qa_buttons(MODERATOR)
    # Started from App Home: the form remembers it, and the home is republished once done.
    home = modal_view("", view_id="VHOME", type_="home")
    assert bot.http.action("audit.start", str(audit_id), user_id=AUDITOR, view=home).status == 200
    [update] = bot.slack.wait_for("views.update")
    view_id = update.params["view_id"]
    assert json.loads(bot.slack.view(view_id)["private_metadata"])["home"] is True
    bot.http.submit_view("audit.form", domains_state(), view_id=view_id, user_id=AUDITOR,
                         private_metadata=json.dumps({"audit_id": audit_id, "step": "domains",
                                                      "home": True}))
    bot.http.submit_view("audit.form", overall_state(), view_id=view_id, user_id=AUDITOR,
                         private_metadata=json.dumps({"audit_id": audit_id, "step": "overall",
                                                      "home": True}))
    answer = bot.http.submit_view(
        "audit.form", actions_state(), view_id=view_id, user_id=AUDITOR,
        private_metadata=json.dumps({"audit_id": audit_id, "step": "actions", "home": True}))
    assert answer.json()["response_action"] == "update"
    bot.slack.wait_for("views.publish", user_id=AUDITOR)
    assert ("moderation.start", str(audit_id)) in qa_buttons(MODERATOR)
    assert ("audit.start", str(audit_id)) not in qa_buttons(AUDITOR)


def test_two_submissions_of_the_same_view_at_once_act_once(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    view_id = start(bot, "audit.start", audit_id, AUDITOR)["id"]
    submit(bot, audit_id, "domains", domains_state("inadequate"), view_id)
    submit(bot, audit_id, "overall", overall_state("inadequate"), view_id)
    values = actions_state(("Synthetic: strategy discussion", WORKER, "2026-11-30"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: submit(bot, audit_id, "actions", values, view_id),
                                range(4)))
    assert all(a["response_action"] == "update" for a in answers)
    assert len({json.dumps(a, sort_keys=True) for a in answers}) == 1
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == HOS)
    deliver(bot)
    assert dm_texts(bot, HOS) == ["Inadequate grade: audit of C0001 (Team A)"]
    assert dm_texts(bot, WORKER) == ["New action from the audit of C0001, due 2026-11-30"]
    with unit_of_work(bot.engine) as session:
        logged = session.exec(select(AuditLogEntry.action).where(
            AuditLogEntry.record_type == "audit", AuditLogEntry.outcome == "ok")).all()
    assert sorted(logged) == ["audit.inadequate_notified", "audit.started", "audit.submitted"]


def test_the_allocations_tracker_shows_both_grades(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    view_id = start(bot, "audit.start", audit_id, AUDITOR)["id"]
    fill_and_submit(bot, audit_id, view_id, "good")
    answer = moderate(bot, audit_id, "outstanding", compare_state(
        False, "outstanding", "Synthetic reason."))
    assert answer["response_action"] == "update"
    with open_tracker(bot.engine, tracker="allocations", authority_id=1) as table:
        rows = [dict(zip(table.header, row, strict=True)) for row in table.rows]
    assert [(r["case_ref"], r["status"], r["auditor_grade"], r["moderated_grade"])
            for r in rows] == [("C0001", "moderated", "good", "outstanding")]


def test_the_form_follows_the_authoritys_own_scale_and_overall_switch(bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    with unit_of_work(bot.engine) as session:
        set_setting(session, authority_id=1, key="grading_scale", raw_value=json.dumps({
            "grades": ["effective", "developing", "ineffective"],
            "below_good": ["developing", "ineffective"], "inadequate": "ineffective"}),
            actor="test", now=bot.container.clock.now())
        set_setting(session, authority_id=1, key="overall_grade_enabled", raw_value="false",
                    actor="test", now=bot.container.clock.now())
        session.commit()
    view = start(bot, "audit.start", audit_id, AUDITOR)
    assert [o["value"] for o in block(view, "grade:planning")["element"]["options"]] == [
        "effective", "developing", "ineffective"]
    answer = submit(bot, audit_id, "domains", domains_state("effective", planning="ineffective"),
                    view["id"])
    step2 = answer["view"]
    assert "overall_grade" not in texts_of(step2) and "rationale" not in texts_of(step2)
    assert "lowest domain grade" in texts_of(step2)
    answer = submit(bot, audit_id, "overall", state(
        with_practitioner={"value": radio_buttons("no")},
        urgent_concern={"value": radio_buttons("no")}), view["id"])
    assert answer["response_action"] == "update"
    answer = submit(bot, audit_id, "actions", actions_state(), view["id"])
    assert answer["errors"] == {
        "action:1:what": "The grade is Ineffective, below Good: add at least one action."}
    answer = submit(bot, audit_id, "actions", actions_state(
        ("Synthetic: plan review", WORKER, "2026-12-23")), view["id"])
    assert "graded *Ineffective*" in texts_of(answer["view"])
    bot.slack.wait_for(lambda c: c.method == "chat.postMessage" and c.params["channel"] == HOS)
    assert audit_row(bot, audit_id).auditor_grade == "ineffective"


def test_the_moderators_draft_is_kept_and_the_blind_grade_cannot_change_once_shown(
        bot: Bot) -> None:
    audit_id = seed_audit(bot.engine, bot.slack)
    view_id = start(bot, "audit.start", audit_id, AUDITOR)["id"]
    fill_and_submit(bot, audit_id, view_id, "good")
    view = start(bot, "moderation.start", audit_id, MODERATOR)
    closed = bot.http.close_view("moderation.form", user_id=MODERATOR, view=modal_view(
        "moderation.form", view_id=view["id"], values=grade_state("requires_improvement"),
        private_metadata=json.dumps({"audit_id": audit_id, "step": "grade"})))
    assert closed.status == 200
    view = start(bot, "moderation.start", audit_id, MODERATOR)
    assert block(view, "mod_grade")["element"]["initial_option"]["value"] == (
        "requires_improvement")
    assert "auditor's overall grade:" not in texts_of(view)  # still blind
    answer = submit(bot, audit_id, "grade", grade_state("requires_improvement"), view["id"],
                    user=MODERATOR, callback="moderation.form")
    assert "The auditor's overall grade: *Good*" in texts_of(answer["view"])
    # Reopened after the auditor's grade was shown: straight to the comparison, the blind
    # grade kept as given even if a changed one is sent.
    view = start(bot, "moderation.start", audit_id, MODERATOR)
    assert "The auditor's overall grade: *Good*" in texts_of(view)
    submit(bot, audit_id, "grade", grade_state("good"), view["id"], user=MODERATOR,
           callback="moderation.form")
    answer = submit(bot, audit_id, "compare", compare_state(
        False, "requires_improvement", "Synthetic reason."), view["id"], user=MODERATOR,
        callback="moderation.form")
    assert "final grade is *Requires improvement*" in texts_of(answer["view"])
    with unit_of_work(bot.engine) as session:
        form = session.get(AuditForm, (audit_id, "moderator"))
    assert form is not None and not form.is_draft
    assert json.loads(form.data)["grade"] == "requires_improvement"

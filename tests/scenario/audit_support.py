"""An allocated audit in a synthetic organisation, and the audit form as Slack sends it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.domain.rule_settings import CASE_FILE_DOMAINS
from scheduling.jobs import JOBS
from storage.audit_models import Audit, AuditForm, Cycle
from storage.db import unit_of_work
from storage.directory_version import bump_directory_version
from storage.models import DEFAULT_AUTHORITY_ID, AuditLogEntry, Case, Staff, StaffRole
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    checkboxes,
    datepicker,
    radio_buttons,
    state,
    static_select,
    text_input,
    users_select,
)
from tests.harness import Bot
from tests.scenario.alert_support import seed_alert_org

AUDITOR, MODERATOR, WORKER = "UAUD", "UMOD", "UPR"


def seed_audit(engine: Engine, slack: FakeSlack, *, moderated: bool = True,
               cycle_status: str = "open") -> int:
    """Team A's case C0001 allocated to an auditor, with a moderator: the audit's id."""
    seed_alert_org(engine, slack, deputy=True)
    now = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    with unit_of_work(engine) as session:
        people = {}
        for slack_id, email, role in ((AUDITOR, "aud@example.org", "team_manager"),
                                      (MODERATOR, "mod@example.org", "principal_social_worker")):
            staff = Staff(authority_id=DEFAULT_AUTHORITY_ID, email=email,
                          name=f"Synthetic {slack_id}", slack_user_id=slack_id, is_auditor=True)
            session.add(staff)
            session.flush()
            session.add(StaffRole(staff_id=staff.id or 0, role=role))
            people[slack_id] = staff.id
            slack.add_user(slack_id, email)
        case = session.exec(select(Case).where(Case.case_ref == "C0001")).one()
        cycle = Cycle(authority_id=DEFAULT_AUTHORITY_ID, name="Synthetic cycle 1",
                      kind="case_file", opens_on=date(2026, 11, 16), audit_due=date(2026, 12, 4),
                      moderation_due=date(2026, 12, 11), seed=1, status=cycle_status,
                      created_at=now, opened_at=now)
        session.add(cycle)
        session.flush()
        audit = Audit(authority_id=DEFAULT_AUTHORITY_ID, cycle_id=cycle.id or 0,
                      case_id=case.id, team_id=case.team_id, worker_id=case.worker_id,
                      auditor_id=people[AUDITOR] or 0,
                      moderator_id=people[MODERATOR] if moderated else None,
                      audit_due=cycle.audit_due, moderation_due=cycle.moderation_due)
        session.add(audit)
        bump_directory_version(session, DEFAULT_AUTHORITY_ID)  # staff changed
        session.commit()
        return audit.id or 0


def meta(audit_id: int, step: str) -> str:
    """The form's private_metadata for a step."""
    return json.dumps({"audit_id": audit_id, "step": step, "home": False})


def domains_state(grade: str = "good", **grades: str | None) -> dict[str, Any]:
    """Step 1: every domain graded `grade` (some overridden), each with a comment."""
    blocks: dict[str, Any] = {}
    for domain in CASE_FILE_DOMAINS:
        blocks[f"grade:{domain}"] = {"value": static_select(grades.get(domain, grade))}
        blocks[f"comment:{domain}"] = {"value": text_input(f"Synthetic comment on {domain}.")}
    return state(**blocks)


def overall_state(grade: str = "good", *, rationale: str | None = "Synthetic rationale.",
                  urgent: bool = False, concern: str | None = None) -> dict[str, Any]:
    """Step 2: the overall grade, rationale, feedback and the two yes/no questions."""
    return state(**{
        "overall_grade": {"value": static_select(grade)},
        "rationale": {"value": text_input(rationale)},
        "child_feedback": {"value": text_input("Synthetic: the young person felt heard.")},
        "pr_feedback": {"value": text_input("Synthetic: the worker found it useful.")},
        "with_practitioner": {"value": radio_buttons("yes")},
        "urgent_concern": {"value": radio_buttons("yes" if urgent else "no")},
        "concern": {"value": text_input(concern)},
    })


def actions_state(*actions: tuple[str, str | None, str | None]) -> dict[str, Any]:
    """Step 3: (what, owner, due) per slot; the other slots left with their defaults."""
    blocks: dict[str, Any] = {}
    for slot in range(1, 6):
        what, owner, due = actions[slot - 1] if slot <= len(actions) else ("", WORKER,
                                                                           "2026-12-23")
        blocks[f"action:{slot}:what"] = {"value": text_input(what or None)}
        blocks[f"action:{slot}:owner"] = {"value": users_select(owner)}
        blocks[f"action:{slot}:due"] = {"value": datepicker(due)}
        blocks[f"action:{slot}:good"] = {"value": checkboxes(["yes"] if slot == 1 and what
                                                             else [])}
    return state(**blocks)


def submit(bot: Bot, audit_id: int, step: str, values: dict[str, Any], view_id: str, *,
           user: str = AUDITOR, callback: str = "audit.form") -> dict[str, Any]:
    """Submit one step of a form; the bot's answer (response_action …)."""
    result = bot.http.submit_view(callback, values, private_metadata=meta(audit_id, step),
                                  view_id=view_id, user_id=user)  # type: ignore[arg-type]
    assert result.status == 200 and result.elapsed < 3
    return result.json() if result.body else {}


def start(bot: Bot, action_id: str, audit_id: int, user: str) -> dict[str, Any]:
    """Press Start audit (or Moderate): the view the loading modal was updated to."""
    before = len(bot.slack.calls_to("views.update"))
    assert bot.http.action(action_id, str(audit_id), user_id=user).status == 200
    update = bot.slack.wait_for("views.update", count=before + 1)[-1]
    opened = bot.slack.calls_to("views.open")[-1]
    assert "Loading" in json.dumps(opened.params["view"])
    view = bot.slack.view(update.params["view_id"])
    return view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """A block of a view by id."""
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def dm_texts(bot: Bot, user: str) -> list[str]:
    """Texts of the bot's messages to a person, oldest first."""
    return [m["text"] for m in bot.slack.messages(user)]


def grade_state(grade: str, rationale: str | None = "Synthetic rationale of the moderator."
                ) -> dict[str, Any]:
    """The moderator's blind step."""
    return state(mod_grade={"value": static_select(grade)},
                 mod_rationale={"value": text_input(rationale)})


def compare_state(agree: bool | None, grade: str | None = None,
                  reason: str | None = None) -> dict[str, Any]:
    """The moderator's comparison step."""
    choice = None if agree is None else ("agree" if agree else "disagree")
    return state(agree={"value": radio_buttons(choice)},
                 moderated_grade={"value": static_select(grade)},
                 reason={"value": text_input(reason)})


def audit_row(bot: Bot, audit_id: int) -> Audit:
    """The audit as stored now."""
    with unit_of_work(bot.engine) as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        return audit


def form_row(bot: Bot, audit_id: int, role: str = "auditor") -> AuditForm | None:
    """The stored form (draft or record) of a role."""
    with unit_of_work(bot.engine) as session:
        return session.get(AuditForm, (audit_id, role))


def refusals(bot: Bot) -> list[tuple[str, str, str]]:
    """The audit log's refusals: (actor, action, record id), oldest first."""
    with unit_of_work(bot.engine) as session:
        rows = session.exec(select(AuditLogEntry).where(AuditLogEntry.outcome == "refused")
                            .order_by(col(AuditLogEntry.id))).all()
        return [(r.actor, r.action, r.record_id) for r in rows]


def texts_of(view: dict[str, Any]) -> str:
    """A view's blocks as one string, to look for words in."""
    return json.dumps(view["blocks"])


def deliver(bot: Bot) -> None:
    """Send whatever the outbox still holds (what the `outbox.deliver` job does)."""
    JOBS["outbox.deliver"].body(bot.container, bot.container.clock.now(), False)


def fill_and_submit(bot: Bot, audit_id: int, view_id: str, grade: str, *,
                    urgent: bool = False, actions: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Go through the three steps; the answer to the last one."""
    assert submit(bot, audit_id, "domains", domains_state(grade), view_id)[
        "response_action"] == "update"
    concern = "Synthetic: an injury not followed up." if urgent else None
    assert submit(bot, audit_id, "overall", overall_state(grade, urgent=urgent, concern=concern),
                  view_id)["response_action"] == "update"
    return submit(bot, audit_id, "actions", actions_state(*actions), view_id)


def moderate(bot: Bot, audit_id: int, blind_grade: str, compare: dict[str, Any]
             ) -> dict[str, Any]:
    """Press Moderate, grade blind, then compare: the answer to the last step."""
    view_id = start(bot, "moderation.start", audit_id, MODERATOR)["id"]
    answer = submit(bot, audit_id, "grade", grade_state(blind_grade), view_id, user=MODERATOR,
                    callback="moderation.form")
    assert answer["response_action"] == "update"
    return submit(bot, audit_id, "compare", compare, view_id, user=MODERATOR,
                  callback="moderation.form")

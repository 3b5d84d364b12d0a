"""The QA lead's audit cycles in App Home: create, preview the draw, open, close, and change.

Buttons only acknowledge; the lazy work opens a modal at once (a trigger id lasts three
seconds) and fills it when done. Modal submissions check and write before answering, so
errors appear at the field. The services decide who may: anyone but an active QA lead is
refused, and the refusal is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.container import Container
from bot.services.cycles import (
    Actor,
    CycleError,
    CycleProblems,
    allocate_cycle,
    close_cycle,
    create_cycle,
    describe_audit,
    describe_cycle,
    mark_unavailable,
    may_run_cycles,
    open_cycle,
    reassign_audit,
)
from bot.services.directory import authority_for_workspace
from bot.services.rule_settings import get_settings
from bot.slack.cycle_forms import field_errors, preview_view, read_create_form
from bot.slack.cycle_views import (
    AuditMeta,
    CreateDefaults,
    CycleMeta,
    create_modal,
    loading_view,
    notice_view,
    reassign_modal,
    unavailable_modal,
)
from bot.slack.ids import Action, View
from handlers.home import publish_home
from handlers.lazy import ack_only, queue_for_sending, sender_of
from storage.db import read_only

REFUSED = "Only the QA lead can run audit cycles."
#: What a button's work leaves: the modal's view, and the outbox keys to send.
Done = tuple[dict[str, Any], list[str]]


def _authority(body: dict[str, Any]) -> int:
    return authority_for_workspace(body.get("team_id") or (body.get("team") or {}).get("id"))


def _actor(body: dict[str, Any]) -> Actor:
    return Actor(body["user"]["id"])


def _selected_user(view: dict[str, Any], block: str) -> str | None:
    return (view["state"]["values"].get(block, {}).get(block) or {}).get("selected_user")


def _form_error(exc: ValidationError | CycleError) -> str:
    """What a form that could not be done says at its field."""
    if isinstance(exc, ValidationError):
        return "This form has expired."  # its private_metadata no longer reads
    if isinstance(exc, CycleProblems):
        return "; ".join(t for texts in exc.problems.values() for t in texts)
    return str(exc)


def register(app: App, container: Container) -> None:
    """Register the cycle listeners."""
    engine, clock, sender = container.engine, container.clock, container.sender
    send_queued = sender_of(sender)

    def home_after(body: dict[str, Any], client: WebClient) -> None:
        """Show the new state in App Home."""
        publish_home(engine, client, body)

    def in_modal(title: str, work: Callable[[dict[str, Any], int], Done]) -> Any:
        """A lazy listener: a loading modal at once, the work's view in it, then sending."""

        def run(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
            opened = client.views_open(trigger_id=body["trigger_id"], view=loading_view(title))
            keys: list[str] = []
            try:
                view, keys = work(body, int(action["value"]))
            except CycleError as exc:
                view = notice_view(title, str(exc))
            client.views_update(view_id=opened["view"]["id"], view=view)
            home_after(body, client)
            # Hundreds of messages take a while: the modal and App Home do not wait for them.
            sender.deliver_keys(keys)

        return run

    def preview(body: dict[str, Any], cycle_id: int) -> Done:
        outcome = allocate_cycle(engine, authority_id=_authority(body), actor=_actor(body),
                                 cycle_id=cycle_id, now=clock.now())
        return preview_view(outcome.name, outcome), []

    def open_(body: dict[str, Any], cycle_id: int) -> Done:
        outcome = open_cycle(engine, authority_id=_authority(body), actor=_actor(body),
                             cycle_id=cycle_id, now=clock.now())
        if not outcome.opened:
            return notice_view("Open cycle", f"Cycle {cycle_id} is open already: nothing was "
                                             "sent again."), []
        return notice_view(
            "Open cycle",
            f"*Cycle {cycle_id} is open.* {outcome.auditors} auditors get their allocations; "
            f"{outcome.managers} team managers and {outcome.practitioners} practitioners "
            "are told.",
            [f"not told (no Slack id, or inactive): {e}" for e in outcome.not_told],
        ), outcome.keys

    def close(body: dict[str, Any], cycle_id: int) -> Done:
        close_cycle(engine, authority_id=_authority(body), actor=_actor(body),
                    cycle_id=cycle_id, now=clock.now())
        return notice_view("Close cycle", f"*Cycle {cycle_id} is closed.*"), []

    app.action(Action.CYCLE_PREVIEW)(ack=ack_only, lazy=[in_modal("Preview draw", preview)])
    app.action(Action.CYCLE_OPEN)(ack=ack_only, lazy=[in_modal("Open cycle", open_)])
    app.action(Action.CYCLE_CLOSE)(ack=ack_only, lazy=[in_modal("Close cycle", close)])

    def open_create_modal(body: dict[str, Any], client: WebClient) -> None:
        """**Create cycle**: the modal, with the authority's defaults as hints."""
        authority_id = _authority(body)
        if not may_run_cycles(engine, authority_id=authority_id, slack_user_id=body["user"]["id"]):
            client.views_open(trigger_id=body["trigger_id"], view=notice_view("Cycles", REFUSED))
            return
        with read_only(engine) as session:
            s = get_settings(session, authority_id)
        defaults = CreateDefaults(s.default_cadence, s.default_per_auditor,
                                  s.default_lookback_months, s.moderation_fraction)
        client.views_open(trigger_id=body["trigger_id"], view=create_modal(defaults))

    app.action(Action.CYCLE_CREATE)(ack=ack_only, lazy=[open_create_modal])

    def handle_create_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Check the form, create the cycle (database only), then answer the modal."""
        new, errors = read_create_form(view["state"])
        if new is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            created = create_cycle(engine, authority_id=_authority(body), actor=_actor(body),
                                   new=new, now=clock.now(), source_key=f"view:{view['id']}")
        except CycleProblems as exc:
            ack(response_action="errors", errors=field_errors(exc.problems))
            return
        except CycleError as exc:
            ack(response_action="errors", errors={"name": str(exc)})
            return
        text = ("*The cycle has been created.* Press *Preview draw* in App Home to see its draw "
                "before anything is sent.")
        if created.duplicate:
            text = "*The cycle was created already.*"
        ack(response_action="update", view=notice_view("Create audit cycle", text))

    app.view(View.CYCLE_CREATE)(ack=handle_create_submission, lazy=[home_after])

    def open_reassign_modal(body: dict[str, Any], action: dict[str, Any],
                            client: WebClient) -> None:
        """**Reassign**: the audit, and a choice of person."""
        try:
            audit = describe_audit(engine, authority_id=_authority(body), actor=_actor(body),
                                   audit_id=int(action["value"]), now=clock.now())
        except CycleError as exc:
            client.views_open(trigger_id=body["trigger_id"], view=notice_view("Reassign",
                                                                               str(exc)))
            return
        client.views_open(trigger_id=body["trigger_id"], view=reassign_modal(audit))

    app.action(Action.AUDIT_REASSIGN)(ack=ack_only, lazy=[open_reassign_modal])

    def open_unavailable_modal(body: dict[str, Any], action: dict[str, Any],
                               client: WebClient) -> None:
        """**Mark unavailable**: a choice of person and reason for this cycle."""
        try:
            cycle = describe_cycle(engine, authority_id=_authority(body), actor=_actor(body),
                                   cycle_id=int(action["value"]), action="cycle.unavailable",
                                   now=clock.now())
        except CycleError as exc:
            client.views_open(trigger_id=body["trigger_id"],
                              view=notice_view("Mark unavailable", str(exc)))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=unavailable_modal(cycle.cycle_id, cycle.name))

    app.action(Action.CYCLE_UNAVAILABLE)(ack=ack_only, lazy=[open_unavailable_modal])

    def handle_reassign_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                                   context: BoltContext) -> None:
        """Move the audit if the person may take it; else say why at the field."""
        try:
            meta = AuditMeta.model_validate_json(view.get("private_metadata") or "")
            outcome = reassign_audit(
                engine, authority_id=_authority(body), actor=_actor(body),
                audit_id=meta.audit_id, slack_user_id=_selected_user(view, "auditor"),
                now=clock.now(), source_key=f"view:{view['id']}",
            )
        except (ValidationError, CycleError) as exc:
            ack(response_action="errors", errors={"auditor": _form_error(exc)})
            return
        queue_for_sending(context, outcome.keys)
        text = ("*Reassigned.*" if outcome.duplicate else
                f"*{outcome.subject} is now audited by {outcome.auditor}.*")
        ack(response_action="update", view=notice_view("Reassign audit", text))

    app.view(View.CYCLE_REASSIGN)(ack=handle_reassign_submission, lazy=[send_queued, home_after])

    def handle_unavailable_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                                      context: BoltContext) -> None:
        """Mark the person and reallocate their work; say what moved and what could not."""
        reason = ((view["state"]["values"].get("reason", {}).get("reason") or {})
                  .get("selected_option") or {}).get("value") or "unavailable"
        try:
            meta = CycleMeta.model_validate_json(view.get("private_metadata") or "")
            outcome = mark_unavailable(
                engine, authority_id=_authority(body), actor=_actor(body),
                cycle_id=meta.cycle_id, slack_user_id=_selected_user(view, "person"),
                reason=reason, now=clock.now(),
            )
        except (ValidationError, CycleError) as exc:
            ack(response_action="errors", errors={"person": _form_error(exc)})
            return
        queue_for_sending(context, outcome.keys)
        lines = [f"reallocated {m}" for m in outcome.moved]
        lines += [f"could not reallocate {m}" for m in outcome.not_moved]
        ack(response_action="update", view=notice_view(
            "Mark unavailable",
            f"*{outcome.person} is unavailable for this cycle.* {len(outcome.moved)} moved, "
            f"{len(outcome.not_moved)} could not be moved.",
            lines,
        ))

    app.view(View.CYCLE_UNAVAILABLE)(
        ack=handle_unavailable_submission, lazy=[send_queued, home_after]
    )

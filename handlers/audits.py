"""The audit form: Start audit, its steps, Save draft, closing it, and submitting it."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.container import Container
from bot.domain.audit_fields import ACTIONS
from bot.services.audits.common import AuditError
from bot.services.audits.drafts import open_audit, save_step
from bot.services.audits.submit import submit_audit
from bot.slack.audit_views import form_view, read_answers, submitted_view
from bot.slack.form_blocks import notice_view, read_meta
from bot.slack.ids import Action, View
from handlers.forms import (
    NEXT_VIEW,
    REFRESH_HOME,
    ack_not_done,
    audit_id_of,
    authority,
    open_in_two_steps,
    refresh_home,
    show_next_view,
)
from handlers.lazy import ack_only, queue_for_sending, sender_of

TITLE = "Audit"
EXPIRED = "This form has expired: start the audit again from your allocation message."


def register(app: App, container: Container) -> None:
    """Register the audit form's listeners."""
    engine, clock = container.engine, container.clock
    send_queued = sender_of(container.sender)

    def open_audit_form(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Start audit: the form's first step, with the saved draft restored."""
        home = (body.get("view") or {}).get("type") == "home"

        def build() -> dict[str, Any]:
            context = open_audit(engine, authority_id=authority(body),
                                 actor_slack_id=body["user"]["id"],
                                 audit_id=audit_id_of(action), now=clock.now())
            return form_view(context, context.spec.steps()[0], home=home)

        open_in_two_steps(client, body, TITLE, build)

    app.action(Action.AUDIT_START)(ack=ack_only, lazy=[open_audit_form])

    def save_audit_draft(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Save draft: written before the acknowledgement; the modal then says so."""
        view = body.get("view") or {}
        meta = read_meta(view)
        if meta is None:
            context[NEXT_VIEW] = notice_view(TITLE, EXPIRED)
        else:
            try:
                result = save_step(engine, authority_id=authority(body),
                                   actor_slack_id=body["user"]["id"], audit_id=meta.audit_id,
                                   step=meta.step, typed=read_answers(view["state"]["values"]),
                                   now=clock.now(), check=False)
                context[NEXT_VIEW] = form_view(result.context, meta.step, home=meta.home)
            except AuditError as exc:
                context[NEXT_VIEW] = notice_view(TITLE, str(exc))
        ack()

    app.action(Action.AUDIT_SAVE_DRAFT)(ack=save_audit_draft, lazy=[show_next_view])

    def handle_audit_step(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                          context: BoltContext) -> None:
        """A step: saved as the draft, then the next step; the last one submits the audit."""
        meta = read_meta(view)
        if meta is None:
            ack(response_action="update", view=notice_view(TITLE, EXPIRED))
            return
        args = {"authority_id": authority(body), "actor_slack_id": body["user"]["id"],
                "audit_id": meta.audit_id, "typed": read_answers(view["state"]["values"]),
                "now": clock.now()}
        try:
            if meta.step == ACTIONS:
                outcome = submit_audit(engine, source_key=f"view:{view['id']}", **args)
                queue_for_sending(context, outcome.keys)
                context[REFRESH_HOME] = meta.home
                ack(response_action="update", view=submitted_view(outcome))
                return
            result = save_step(engine, step=meta.step, **args)
        except AuditError as exc:  # FormInvalid too: its errors go to their fields
            ack_not_done(ack, TITLE, exc)
            return
        if result.errors:
            ack(response_action="errors", errors=result.errors)
            return
        following = result.context.spec.next_step(meta.step) or ACTIONS
        ack(response_action="update", view=form_view(result.context, following, home=meta.home))

    app.view(View.AUDIT_FORM)(ack=handle_audit_step, lazy=[send_queued, refresh_home(engine)])

    def handle_audit_closed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Closing the form keeps what was typed as the draft."""
        meta = read_meta(view)
        # AuditError: submitted meanwhile, or not theirs (the service logs a refusal).
        if meta is not None:
            with suppress(AuditError):
                save_step(engine, authority_id=authority(body), actor_slack_id=body["user"]["id"],
                          audit_id=meta.audit_id, step=meta.step,
                          typed=read_answers((view.get("state") or {}).get("values") or {}),
                          now=clock.now(), check=False)
        ack()

    app.view_closed(View.AUDIT_FORM)(ack=handle_audit_closed, lazy=[])

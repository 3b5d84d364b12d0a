"""The moderation form: Moderate, its blind and comparison steps, Save draft, closing it."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.container import Container
from bot.domain.moderation import COMPARE, opening_step
from bot.services.audits.common import AuditError
from bot.services.audits.moderation import (
    moderate_audit,
    open_moderation,
    save_moderation_step,
)
from bot.slack.form_blocks import notice_view, read_meta
from bot.slack.ids import Action, View
from bot.slack.moderation_views import moderated_view, moderation_view, read_moderation
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

TITLE = "Moderate"
EXPIRED = "This form has expired: press Moderate again."


def register(app: App, container: Container) -> None:
    """Register the moderation form's listeners."""
    engine, clock = container.engine, container.clock
    send_queued = sender_of(container.sender)

    def open_moderation_form(body: dict[str, Any], action: dict[str, Any],
                             client: WebClient) -> None:
        """Moderate: blind grading first (unless already done), with the draft restored."""
        home = (body.get("view") or {}).get("type") == "home"

        def build() -> dict[str, Any]:
            context = open_moderation(engine, authority_id=authority(body),
                                      actor_slack_id=body["user"]["id"],
                                      audit_id=audit_id_of(action), now=clock.now())
            step = opening_step(context.blind, context.answers)
            return moderation_view(context, step, home=home)

        open_in_two_steps(client, body, TITLE, build)

    app.action(Action.MODERATION_START)(ack=ack_only, lazy=[open_moderation_form])

    def _save(body: dict[str, Any], view: dict[str, Any], *, check: bool
              ) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """Save the step into the draft: the view to show next (None: stay), and errors."""
        meta = read_meta(view)
        if meta is None:
            return notice_view(TITLE, EXPIRED), {}
        context, errors = save_moderation_step(
            engine, authority_id=authority(body), actor_slack_id=body["user"]["id"],
            audit_id=meta.audit_id, step=meta.step,
            typed=read_moderation((view.get("state") or {}).get("values") or {}),
            now=clock.now(), check=check)
        step = meta.step if not check else COMPARE
        return moderation_view(context, step, home=meta.home), errors

    def save_moderation_draft(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Save draft: written before the acknowledgement; the modal then says so."""
        try:
            context[NEXT_VIEW], _ = _save(body, body.get("view") or {}, check=False)
        except AuditError as exc:
            context[NEXT_VIEW] = notice_view(TITLE, str(exc))
        ack()

    app.action(Action.MODERATION_SAVE_DRAFT)(ack=save_moderation_draft, lazy=[show_next_view])

    def handle_moderation_step(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                               context: BoltContext) -> None:
        """The blind step moves on to the comparison; the comparison records the moderation."""
        meta = read_meta(view)
        if meta is None:
            ack(response_action="update", view=notice_view(TITLE, EXPIRED))
            return
        try:
            if meta.step == COMPARE:
                outcome = moderate_audit(
                    engine, authority_id=authority(body), actor_slack_id=body["user"]["id"],
                    audit_id=meta.audit_id, typed=read_moderation(view["state"]["values"]),
                    source_key=f"view:{view['id']}", now=clock.now())
                queue_for_sending(context, outcome.keys)
                context[REFRESH_HOME] = meta.home
                ack(response_action="update", view=moderated_view(outcome))
                return
            following, errors = _save(body, view, check=True)
        except AuditError as exc:  # FormInvalid too: its errors go to their fields
            ack_not_done(ack, TITLE, exc)
            return
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=following)

    app.view(View.MODERATION_FORM)(ack=handle_moderation_step,
                                   lazy=[send_queued, refresh_home(engine)])

    def handle_moderation_closed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Closing the form keeps what was typed as the moderator's draft."""
        # AuditError: moderated meanwhile, or not theirs (the service logs a refusal).
        with suppress(AuditError):
            _save(body, view, check=False)
        ack()

    app.view_closed(View.MODERATION_FORM)(ack=handle_moderation_closed, lazy=[])

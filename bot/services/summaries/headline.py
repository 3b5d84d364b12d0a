"""App Home's headline figures for leaders: their scope, this quarter, against the last."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.domain.summaries import ME, quarter_containing, widest_kind
from bot.services.summaries.access import asker_in
from bot.services.summaries.errors import Stranger
from bot.services.summaries.requesting import summarise_for
from bot.services.summaries.scopes import default_scope
from storage.db import read_only


def leader_headline(engine: Engine, *, authority_id: int, slack_user_id: str,
                    now: datetime) -> dict[str, Any] | None:
    """The summary of a leader's widest scope for the current quarter; None for others."""
    with read_only(engine) as session:
        try:
            asker = asker_in(session, authority_id=authority_id, slack_user_id=slack_user_id)
        except Stranger:
            return None
        if widest_kind(asker.viewer) == ME:
            return None
        today = now.astimezone(asker.settings.calendar().tz).date()
        period = quarter_containing(today, asker.settings.quarter_start_month)
        scope = default_scope(asker.person, asker.viewer, asker.names)
        return summarise_for(session, asker, scope, period, now).to_data()

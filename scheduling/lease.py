"""A leader lease in the database: with several processes, one runs the sweeps."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.db import unit_of_work
from storage.models import Lease
from storage.sql import insert_ignore

LEASE_NAME = "scheduler"
LEASE_SECONDS = 60


def new_holder_id() -> str:
    """A name for this process that no other process shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLease:
    """Take or renew the lease; only its holder runs jobs until it expires."""

    def __init__(self, engine: Engine, holder: str, *, name: str = LEASE_NAME,
                 seconds: int = LEASE_SECONDS) -> None:
        self._engine = engine
        self.holder = holder
        self._name = name
        self._ttl = timedelta(seconds=seconds)

    def acquire(self, now: datetime) -> bool:
        """True if this process holds the lease now (taking it when free or expired)."""
        expires = now + self._ttl
        try:
            with unit_of_work(self._engine) as session:
                result = session.execute(
                    update(Lease)
                    .where(
                        col(Lease.name) == self._name,
                        (col(Lease.holder) == self.holder) | (col(Lease.expires_at) < now),
                    )
                    .values(holder=self.holder, expires_at=expires)
                )
                taken = result.rowcount == 1  # type: ignore[attr-defined]
                if not taken:
                    taken = insert_ignore(
                        session, Lease,
                        {"name": self._name, "holder": self.holder, "expires_at": expires},
                    )
                session.commit()
                return taken
        except IntegrityError:
            return False

    def release(self) -> None:
        """Give the lease up at shutdown so another process can lead at once."""
        with unit_of_work(self._engine) as session:
            session.execute(
                update(Lease)
                .where(col(Lease.name) == self._name, col(Lease.holder) == self.holder)
                .values(expires_at=datetime(1970, 1, 1).astimezone())
            )
            session.commit()

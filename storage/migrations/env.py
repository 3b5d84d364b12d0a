"""Alembic environment: runs on the connection handed in by storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.alert_models  # noqa: F401  (registers the tables)
import storage.audit_models  # noqa: F401
import storage.models  # noqa: F401

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `qabot db upgrade`")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

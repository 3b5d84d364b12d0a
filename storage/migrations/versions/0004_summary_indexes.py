"""indexes for summaries: actions by due date, alerts by raising, supervision by supervisee

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00.000000

`/qa-summary all` for a year reads every action due in it (200,000 at PRODUCT.md section 9's
scale) and every alert raised in it: these indexes cover the columns the summary counts, so a
period is one range of the index, read without the table. The supervision index gives each
supervisee's sessions held in date order (the previous session of each, for "kept to
frequency") without a sort.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_summary",
            ["authority_id", "due", "status", "team_id", "owner_id", "done_on", "verified_on"],
            unique=False,
        )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_summary",
            ["authority_id", "raised_at", "category", "team_id", "stage", "is_open",
             "acknowledged_at", "resolved_at", "limit_notified_at", "raised_by_id"],
            unique=False,
        )
    with op.batch_alter_table("supervision_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervision_summary",
            ["authority_id", "held", "supervisee_id", "held_on"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("supervision_record", schema=None) as batch_op:
        batch_op.drop_index("ix_supervision_summary")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_summary")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_summary")

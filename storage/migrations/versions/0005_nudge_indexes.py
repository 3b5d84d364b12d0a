"""indexes for the nudge sweep: an authority's open actions and audits to submit or moderate

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00.000000

The nudge sweep reads, for one authority, the actions still open (or done, awaiting
verification) and the audits not yet submitted or moderated. With only `(status, due)` and
`authority_id` indexed, SQLite's planner takes the `authority_id` index and reads the
authority's whole history (200,000 actions at PRODUCT.md section 9's scale); these put the
authority and the status first, so the sweep reads only what is live, whatever the history.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_authority_live", ["authority_id", "status", "due"], unique=False
        )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_authority_status", ["authority_id", "status", "audit_due"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_authority_status")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_authority_live")

"""Callback attempts record Twilio's AnsweredBy and when the victim's leg was answered.

Revision ID: 0003_callback_answered_by
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0003_callback_answered_by"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("victim_answered_at", core.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.drop_column("victim_answered_at")
        batch_op.drop_column("answered_by")

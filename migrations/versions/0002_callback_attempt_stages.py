"""callback attempt stages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:34:22.857860
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), server_default="agent_ringing", nullable=False)
        )
        batch_op.add_column(sa.Column("victim_dialled_at", core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("offer_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_callback_attempts_callback_id_number"), ["callback_id", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_callback_attempts_callback_id_number"), type_="unique"
        )
        batch_op.drop_column("offer_token")
        batch_op.drop_column("victim_dialled_at")
        batch_op.drop_column("stage")

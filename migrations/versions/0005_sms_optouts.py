"""sms opt-out register

Revision ID: 0005_sms_optouts
Revises: 0004_console_session_version
Create Date: 2026-12-02 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0005_sms_optouts"
down_revision: str | None = "0004_console_session_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number_e164", sa.String(length=20), nullable=False),
        sa.Column("opted_out_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_opt_outs")),
        sa.UniqueConstraint("number_e164", name=op.f("uq_sms_opt_outs_number_e164")),
    )


def downgrade() -> None:
    op.drop_table("sms_opt_outs")

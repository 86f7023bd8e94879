"""Retention of candidates' personal data: a period per scheme, and when a candidate was erased.

Revision ID: 0010
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schemes") as batch:
        batch.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("schemes") as batch:
        batch.drop_column("retention_months")

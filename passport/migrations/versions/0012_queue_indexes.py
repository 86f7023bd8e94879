"""Indexes for the review queue page: open appeals, and the countries of the waiting cases.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_appeals_outcome_submitted", "appeals", ["outcome", "submitted_at"])
    waiting = sa.text("status = 'assessment_submitted'")
    op.create_index("ix_cases_waiting_country", "cases", ["scheme_id", "qualification_country"],
                    sqlite_where=waiting, postgresql_where=waiting)


def downgrade() -> None:
    op.drop_index("ix_cases_waiting_country", table_name="cases")
    op.drop_index("ix_appeals_outcome_submitted", table_name="appeals")

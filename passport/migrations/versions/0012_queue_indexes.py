"""Indexes for the review queue page: open appeals, and the countries of the waiting cases.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_appeals_outcome_submitted", "appeals", ["outcome", "submitted_at"])
    # The country joins the queue's index (last, so the order stays), so that the list of
    # the waiting cases' countries is read from the index alone.
    op.drop_index("ix_cases_scheme_status_updated", table_name="cases")
    op.create_index("ix_cases_scheme_status_updated", "cases",
                    ["scheme_id", "status", "updated_at", "id", "qualification_country"])


def downgrade() -> None:
    op.drop_index("ix_cases_scheme_status_updated", table_name="cases")
    op.create_index("ix_cases_scheme_status_updated", "cases",
                    ["scheme_id", "status", "updated_at", "id"])
    op.drop_index("ix_appeals_outcome_submitted", table_name="appeals")

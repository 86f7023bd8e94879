"""The name terms of a candidate in one index entry each (candidate, term): a search for one
word walks the terms' index in name order and asks, for each name, whether an earlier word of
the same candidate matched too; with the term in the index, that is one lookup.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_candidate_name_terms_candidate_term", "candidate_name_terms",
                    ["candidate_id", "term"])
    op.drop_index("ix_candidate_name_terms_candidate_id", table_name="candidate_name_terms")


def downgrade() -> None:
    op.create_index("ix_candidate_name_terms_candidate_id", "candidate_name_terms",
                    ["candidate_id"])
    op.drop_index("ix_candidate_name_terms_candidate_term", table_name="candidate_name_terms")

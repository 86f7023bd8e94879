"""Review decisions (rounds, reasons, disagreement decisions), appeals, passport lifecycle.

Revision ID: 0008
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("reason_code", sa.String(length=30), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("disagreement_decision", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reissue_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_passports_revoked_by_id_users"), "users", ["revoked_by_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_passports_status_valid_until"),
                              ["status", "valid_until"], unique=False)
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("outcome_text", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_appeals_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decision_id"], ["review_decisions.id"],
                                name=op.f("fk_appeals_decision_id_review_decisions")),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["users.id"],
                                name=op.f("fk_appeals_assigned_to_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_appeals_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_case_id"))
    op.drop_table("appeals")
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passports_status_valid_until"))
        batch_op.drop_constraint(batch_op.f("fk_passports_revoked_by_id_users"),
                                 type_="foreignkey")
        batch_op.drop_column("reissue_reason")
        batch_op.drop_column("revoked_by_id")
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.drop_column("disagreement_decision")
        batch_op.drop_column("reason_code")
        batch_op.drop_column("round")

"""Each evaluator's own conclusion per review round.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:38:34.649397
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluator_conclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("years_completed", sa.Integer(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_evaluator_conclusions_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_evaluator_conclusions_evaluator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluator_conclusions")),
        sa.UniqueConstraint(
            "assessment_id", "evaluator_id", name=op.f("uq_evaluator_conclusions_assessment_id")
        ),
    )
    with op.batch_alter_table("evaluator_conclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluator_conclusions_assessment_id"), ["assessment_id"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("evaluator_conclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluator_conclusions_assessment_id"))

    op.drop_table("evaluator_conclusions")

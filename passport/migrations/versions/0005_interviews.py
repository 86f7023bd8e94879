"""Interview scheduling (calendar UID and sequence, outcome) and the live workspace's fields.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "entered_timezone", sa.String(length=64), nullable=False, server_default="UTC"
            )
        )
        batch_op.add_column(sa.Column("scheduled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("outcome", sa.String(length=30), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("outcome_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_interviews_uid"), ["uid"])
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_scheduled_by_id_users"), "users", ["scheduled_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )
    op.create_table(
        "workspace_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"],
            name=op.f("fk_workspace_fields_interview_id_interviews"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_workspace_fields_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace_fields")),
        sa.UniqueConstraint("interview_id", "name", name=op.f("uq_workspace_fields_interview_id")),
    )
    with op.batch_alter_table("workspace_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workspace_fields_interview_id"), ["interview_id"], unique=False
        )
    with op.batch_alter_table("interview_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_participants_interview_id"), ["interview_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interview_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_participants_interview_id"))
    with op.batch_alter_table("workspace_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_fields_interview_id"))
    op.drop_table("workspace_fields")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_recorded_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_scheduled_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_interviews_uid"), type_="unique")
        for name in ("recorded_at", "recorded_by_id", "outcome_reason", "outcome", "updated_at",
                     "scheduled_by_id", "entered_timezone", "sequence", "uid"):
            batch_op.drop_column(name)

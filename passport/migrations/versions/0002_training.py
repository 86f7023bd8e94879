"""Training: courses, scheme requirements, records, evaluator profiles, interview participants.

Revision ID: 0002
Revises: 0006
Create Date: 2026-11-23 18:58:00.600862
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("renews_id", sa.Integer(), nullable=True),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["renews_id"], ["courses.id"], name=op.f("fk_courses_renews_id_courses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_courses_code")),
    )
    op.create_table(
        "scheme_courses",
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_scheme_courses_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_scheme_courses_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scheme_id", "course_id", name=op.f("pk_scheme_courses")),
    )
    with op.batch_alter_table("scheme_courses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheme_courses_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "evaluator_countries",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_evaluator_countries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "country", name=op.f("pk_evaluator_countries")),
    )
    op.create_table(
        "evaluator_languages",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_evaluator_languages_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "language", name=op.f("pk_evaluator_languages")),
    )
    op.create_table(
        "training_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_training_evidence_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_evidence")),
    )
    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_training_records_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["training_evidence.id"],
            name=op.f("fk_training_records_evidence_id_training_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_training_records_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["root_id"],
            ["training_records.id"],
            name=op.f("fk_training_records_root_id_training_records"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["training_records.id"],
            name=op.f("fk_training_records_superseded_by_id_training_records"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_training_records_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_records_course_current", ["course_id", "superseded_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_training_records_root_id"), ["root_id"], unique=False)
        batch_op.create_index(
            "ix_training_records_user_current", ["user_id", "superseded_by_id"], unique=False
        )

    op.create_table(
        "interview_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_interview_participants_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_interview_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_participants")),
        sa.UniqueConstraint(
            "interview_id", "user_id", name=op.f("uq_interview_participants_interview_id")
        ),
    )
    with op.batch_alter_table("interview_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_participants_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "observed_interviews_required", sa.Integer(), server_default="0", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.drop_column("observed_interviews_required")

    with op.batch_alter_table("interview_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_participants_user_id"))

    op.drop_table("interview_participants")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index("ix_training_records_user_current")
        batch_op.drop_index(batch_op.f("ix_training_records_root_id"))
        batch_op.drop_index("ix_training_records_course_current")

    op.drop_table("training_records")
    op.drop_table("training_evidence")
    op.drop_table("evaluator_languages")
    op.drop_table("evaluator_countries")
    with op.batch_alter_table("scheme_courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheme_courses_course_id"))

    op.drop_table("scheme_courses")
    op.drop_table("courses")

"""Passport signing: keys, signatures, the second language and every PDF file produced

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-23 19:03:04.842576
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_keys_key_id")),
    )
    op.create_table(
        "passport_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passport_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"], ["passports.id"], name=op.f("fk_passport_files_passport_id_passports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passport_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_passport_files_sha256")),
    )
    with op.batch_alter_table("passport_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_passport_files_passport_id"), ["passport_id"], unique=False
        )

    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("second_language", sa.String(length=10), nullable=False, server_default="en")
        )
        batch_op.add_column(
            sa.Column("signing_key_id", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("signature", sa.String(length=200), nullable=False, server_default="")
        )

    # Passports issued before this revision: their file (English only, unsigned) stays
    # verifiable by its hash.
    op.execute(
        "INSERT INTO passport_files (passport_id, sha256, language, created_at) "
        "SELECT id, pdf_sha256, 'en', created_at FROM passports WHERE pdf_sha256 <> ''"
    )


def downgrade() -> None:
    with op.batch_alter_table("passports", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("signing_key_id")
        batch_op.drop_column("second_language")

    with op.batch_alter_table("passport_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passport_files_passport_id"))

    op.drop_table("passport_files")
    op.drop_table("signing_keys")

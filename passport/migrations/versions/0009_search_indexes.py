"""Case search (folded names, name terms, trigram index) and indexes for the case list.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

TERM = sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql")


def _has_trigram(bind) -> bool:  # noqa: ANN001
    """Install pg_trgm where this role may; carry on without it (the search then uses the name
    terms' B-tree index, as on SQLite)."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        pass
    return bool(bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar())


def _backfill(bind) -> None:  # noqa: ANN001
    from passport.cases.search import fold, terms

    rows = bind.execute(sa.text(
        "SELECT id, given_name, family_name, native_name FROM candidates"
    )).all()
    keys = [{"cid": r.id, "k": fold(f"{r.given_name} {r.family_name} {r.native_name}")[:700]}
            for r in rows]
    if not keys:
        return
    bind.execute(sa.text("UPDATE candidates SET search_key = :k WHERE id = :cid"), keys)
    bind.execute(
        sa.text("INSERT INTO candidate_name_terms (term, candidate_id) VALUES (:t, :cid)"),
        [{"t": t, "cid": k["cid"]} for k in keys for t in terms(k["k"])],
    )


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=700), server_default="", nullable=False)
        )
    op.create_table(
        "candidate_name_terms",
        sa.Column("term", TERM, nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"],
            name=op.f("fk_candidate_name_terms_candidate_id_candidates"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "candidate_id", name=op.f("pk_candidate_name_terms")),
    )
    op.create_index(
        "ix_candidate_name_terms_candidate_id", "candidate_name_terms", ["candidate_id"]
    )
    _backfill(bind)

    op.create_index("ix_candidates_nationality", "candidates", ["nationality"])
    if bind.dialect.name == "postgresql" and _has_trigram(bind):
        op.create_index("ix_candidates_search_key", "candidates", ["search_key"],
                        postgresql_using="gin", postgresql_ops={"search_key": "gin_trgm_ops"})
    else:
        op.create_index("ix_candidates_search_key", "candidates", ["search_key"])

    op.create_index("ix_cases_updated", "cases", ["updated_at", "id"])
    op.create_index("ix_cases_status_updated", "cases", ["status", "updated_at", "id"])
    op.create_index("ix_cases_scheme_updated", "cases", ["scheme_id", "updated_at", "id"])
    op.create_index("ix_cases_scheme_status_updated", "cases",
                    ["scheme_id", "status", "updated_at", "id"])
    op.create_index("ix_cases_qualification_country", "cases",
                    ["qualification_country", "updated_at", "id"])
    op.create_index("ix_cases_candidate_scheme_updated", "cases",
                    ["candidate_id", "scheme_id", "updated_at", "id"])
    op.create_index("ix_case_assignments_user_case", "case_assignments", ["user_id", "case_id"])
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_index("ix_case_assignments_user_case", table_name="case_assignments")
    for name in ("ix_cases_candidate_scheme_updated", "ix_cases_qualification_country",
                 "ix_cases_scheme_updated",
                 "ix_cases_scheme_status_updated", "ix_cases_status_updated",
                 "ix_cases_updated"):
        op.drop_index(name, table_name="cases")
    op.drop_index("ix_candidates_search_key", table_name="candidates")
    op.drop_index("ix_candidates_nationality", table_name="candidates")
    op.drop_index("ix_candidate_name_terms_candidate_id", table_name="candidate_name_terms")
    op.drop_table("candidate_name_terms")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("search_key")

"""Alembic environment: runs on the connection that `passport.migrate` hands over."""

from alembic import context

from passport import models  # noqa: F401  (registers every table)
from passport.db import Base, UTCDateTime

config = context.config
connection = config.attributes["connection"]


def render_item(type_, obj, _autogen_context):  # noqa: ANN001, ANN201
    # Migrations must not import application types: write UTCDateTime as a plain column type.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    render_item=render_item,
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

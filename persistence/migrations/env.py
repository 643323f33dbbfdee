"""Alembic environment: the app passes its own connection (see persistence.migrate)."""

from alembic import context

from persistence.migrate import include_name
from persistence.tables import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    from persistence.database import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own_connection:
        context.configure(
            connection=own_connection, target_metadata=metadata, render_as_batch=True, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()

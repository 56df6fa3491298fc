"""Alembic environment.

Two ways in:
- `persistence.database.upgrade_schema` passes an open connection in `config.attributes`;
- the `alembic` CLI, which connects to the `DATABASE_URL` environment variable.
"""

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from config.settings import DEFAULT_DATABASE_URL, async_database_url
from persistence.database import create_engine, run_migrations_on
from persistence.models import Base


def database_url_from_environment() -> str:
    return async_database_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_from_cli() -> None:
    engine = create_engine(database_url_from_environment())
    try:
        await run_migrations_on(engine, run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")

passed_connection = context.config.attributes.get("connection")
if passed_connection is not None:
    run_migrations(passed_connection)
else:
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name)
    asyncio.run(run_migrations_from_cli())

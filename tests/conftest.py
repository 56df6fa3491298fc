"""Fixtures shared across the suite."""

from tests.db_fixtures import database_url, engine, require_postgres  # noqa: F401  (fixtures)

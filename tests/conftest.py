"""Fixtures shared across the suite."""

from tests.db_fixtures import database_url, engine  # noqa: F401  (pytest fixtures)

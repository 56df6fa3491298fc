#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium, the Agents Playground),
# checks lint, format and types (ruff, mypy), then runs the whole suite. Extra arguments go
# to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
scripts/install_e2e.sh
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --quiet --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"

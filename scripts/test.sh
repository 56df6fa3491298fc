#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium, the Agents Playground)
# and runs the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
scripts/install_e2e.sh
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest "$@"

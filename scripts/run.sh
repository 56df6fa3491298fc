#!/usr/bin/env bash
# Installs the runtime dependencies into .venv and starts the bot on embedded defaults:
# http://127.0.0.1:3978/api/messages, SQLite under ./data, the sample roster.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python app.py "$@"

#!/usr/bin/env bash
# Installs what the end-to-end tests (tests/e2e) need on a Debian machine, idempotently:
#   * Chromium from Debian's own packages (never `playwright install`: no other browser downloads);
#   * the Microsoft 365 Agents Playground from npm, at the version package-lock.json pins.
# Node.js and npm must already be there. Run as root (or with sudo available) for apt-get.
# The Python side (the playwright package) comes with requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
    echo "install_e2e: installing Debian's chromium"
    as_root apt-get update -q
    # With its recommends: fonts among them, else screenshots show boxes for text.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

command -v node >/dev/null || { echo "install_e2e: node is missing (Node.js 20 or newer)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install_e2e: npm is missing" >&2; exit 1; }

want=$(node -p 'require("./package.json").devDependencies["@microsoft/m365agentsplayground"]')
have=$(node -p 'try { require("./node_modules/@microsoft/m365agentsplayground/package.json").version } catch (e) { "" }')
if [ "$have" != "$want" ] || [ ! -x node_modules/.bin/agentsplayground ]; then
    echo "install_e2e: installing @microsoft/m365agentsplayground $want"
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund
    else
        npm install --no-audit --no-fund
    fi
fi

echo "install_e2e: $(/usr/bin/chromium --version 2>/dev/null | head -n1); Agents Playground $want"

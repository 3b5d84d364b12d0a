#!/usr/bin/env bash
# Set-up, then the bot: `bash scripts/run.sh` serves Slack over HTTP on SQLite (qabot.db).
# Any arguments are passed to `qabot` instead (e.g. `socket`, `jobs list`, `import staff FILE`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -eq 0 ]; then set -- serve --host 0.0.0.0 --port "${PORT:-3000}"; fi
exec .venv/bin/qabot "$@"

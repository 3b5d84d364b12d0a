#!/usr/bin/env bash
# Set-up, then lint and the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"

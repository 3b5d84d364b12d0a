#!/usr/bin/env bash
# Every benchmark, each printing its table and writing JSON to benchmarks/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for bench in benchmarks/*.py; do
  echo "== $bench"
  .venv/bin/python "$bench"
done

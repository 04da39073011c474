#!/usr/bin/env bash
# Set up (once) and start Sitrep on the shipped data at http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# Two malloc arenas rather than glibc's eight per core: every script run is a thread, and
# with the default the server kept 30-60 MB more after 200 filter changes at 10,000 events
# (benchmarks/README.md, "Memory at 10,000 events").
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec .venv/bin/python -m streamlit run dashboard.py --server.address "${SITREP_ADDRESS:-127.0.0.1}" --server.port "${SITREP_PORT:-8501}" "$@"

#!/usr/bin/env bash
# Set up (once) and start Sitrep on the shipped data at http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run dashboard.py --server.address "${SITREP_ADDRESS:-127.0.0.1}" --server.port "${SITREP_PORT:-8501}" "$@"

#!/usr/bin/env bash
# Run the app: creates .venv and installs requirements.txt on first use, then starts Streamlit.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run serve.py "$@"

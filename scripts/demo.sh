#!/usr/bin/env bash
# Set up ./.venv with the torch extra and run the demo; extra arguments go to `artifact-ml demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh torch
exec .venv/bin/artifact-ml demo "$@"

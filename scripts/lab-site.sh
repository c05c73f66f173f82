#!/usr/bin/env bash
# The main job on a fresh machine: `npm run lab:site [-- TOPOLOGY]` is `run-playbook lab site`
# (default 4-node): checks, lab up → site → verify, a new .env with random secrets if none.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx run-playbook lab site "$@"

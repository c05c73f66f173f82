#!/usr/bin/env bash
# The main job on a fresh machine: start the local lab for a topology (default 2-node),
# converge it with the site playbook, then prove it with the live verification table.
# Secrets: a missing .env is created from .env.example with random values (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
topology=${1:-2-node}
inv=inventory/$topology
if [ ! -f "$inv/.env" ] && [ -f "$inv/.env.example" ]; then
  echo "creating $inv/.env with random secrets (from .env.example; edit it to choose your own)"
  while IFS= read -r line; do
    case "$line" in
      [A-Z]*=*) echo "${line%%=*}=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 8)" ;;
      *) echo "$line" ;;
    esac
  done < "$inv/.env.example" > "$inv/.env"
  chmod 600 "$inv/.env"
fi
npx run-playbook lab up -i "$inv"
npx run-playbook site -i "$inv"
npx run-playbook verify -i "$inv"
echo "The lab is still up: explore it with 'npx run-playbook lab ssh HOST', remove it with 'npx run-playbook lab down'."

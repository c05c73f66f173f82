#!/bin/sh
# Installs the benchmark's peer tools without the Python package index: pyinfra 3.5 in a
# venv over Debian's Python packages, and Mitogen 0.3.51 (Ansible strategy plugins for
# Debian 12's ansible-core 2.14). Debian 12, as root; apt-get reaches Debian's mirror.
#
#   sh bench/peers/install.sh [SOURCES [DEST]]
#
# SOURCES  the folder holding the peers' source archives and their install-offline.sh
#          (pyinfra-3.5.tar.gz, mitogen-0.3.51.tar.gz, typeguard, typing_extensions,
#          SHA256SUMS); also $HALAB_PEERS_SRC. Default: peers/ in the folder shared beside
#          the repository's checkout.
# DEST     where they are installed; also $HALAB_PEERS_DIR. Default /var/cache/halab/peers.
#
# Idempotent: when DEST holds an install of exactly these archives (same SHA256SUMS) that
# still runs, it says so and changes nothing. npm run bench calls it before timing.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${1:-${HALAB_PEERS_SRC:-$REPO/../shared/peers}}
DEST=${2:-${HALAB_PEERS_DIR:-/var/cache/halab/peers}}
STAMP=$DEST/installed.sha256sums
PYINFRA=$DEST/venv/bin/pyinfra
MITOGEN=$DEST/mitogen-0.3.51/ansible_mitogen/plugins/strategy/mitogen_linear.py

fail() { echo "bench/peers/install.sh: $*" >&2; exit 1; }

missing=
for f in SHA256SUMS install-offline.sh pyinfra-3.5.tar.gz mitogen-0.3.51.tar.gz; do
  [ -f "$SRC/$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
  if [ -x "$PYINFRA" ] && [ -f "$MITOGEN" ] && [ -f "$STAMP" ]; then
    echo "peers already installed in $DEST (sources not at hand to check them: $SRC)"
    exit 0
  fi
  if [ -n "${1:-}${HALAB_PEERS_SRC:-}" ]; then where="$SRC lacks$missing"; else where="no folder was given"; fi
  fail "pyinfra and Mitogen are not installed and their sources were not found ($where).
Give the folder that holds pyinfra-3.5.tar.gz, mitogen-0.3.51.tar.gz, typeguard, typing_extensions,
SHA256SUMS and install-offline.sh: sudo sh bench/peers/install.sh /path/to/peers
(or HALAB_PEERS_SRC=/path/to/peers), or run the bench without them: --tools halab,ansible."
fi
[ "$(id -u)" = 0 ] || fail "run it as root: it installs Debian packages with apt-get and writes $DEST"

if [ -f "$STAMP" ] && cmp -s "$STAMP" "$SRC/SHA256SUMS" && [ -f "$MITOGEN" ] &&
  "$PYINFRA" --version >/dev/null 2>&1; then
  echo "peers already installed in $DEST: $("$PYINFRA" --version 2>&1 | tail -n 1), mitogen 0.3.51"
  exit 0
fi

echo "installing pyinfra 3.5 and mitogen 0.3.51 into $DEST (apt-get for Debian's Python packages)"
rm -f "$STAMP"
sh "$SRC/install-offline.sh" "$DEST" || fail "the offline install failed (see above); nothing was marked installed"
"$PYINFRA" --version >/dev/null 2>&1 || fail "$PYINFRA does not run after the install"
[ -f "$MITOGEN" ] || fail "Mitogen's strategy plugin is missing after the install: $MITOGEN"
cp "$SRC/SHA256SUMS" "$STAMP"
echo "peers installed in $DEST"

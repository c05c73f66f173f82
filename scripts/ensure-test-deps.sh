#!/usr/bin/env bash
# What `npm test` needs on a fresh Debian machine besides node_modules: an sshd binary
# for the loopback transport tests, sudo for the test of sudo with a password, and PHP with
# PostgreSQL for the drupal role's loopback test (test/e2e/drupal-real.test.ts installs real
# Drupal 10 and 7 against its own PostgreSQL cluster; the lab installs its own dependencies).
set -euo pipefail
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null || missing+=(openssh-client)
[ -x /usr/bin/sudo ] || missing+=(sudo)
command -v php >/dev/null || missing+=(php-cli)
for ext in pdo_pgsql gd dom mbstring; do
  pkg=$(case $ext in pdo_pgsql) echo php-pgsql ;; dom) echo php-xml ;; *) echo "php-$ext" ;; esac)
  command -v php >/dev/null && php -r "exit(extension_loaded('$ext') ? 0 : 1);" || missing+=("$pkg")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null || missing+=(postgresql-client)
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "npm test needs: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing test dependencies: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

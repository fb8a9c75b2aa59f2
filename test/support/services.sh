#!/usr/bin/env bash
# Makes sure the services the test suite needs are there, idempotently, and fast when they already are.
#   - Debian packages: pcscd, vsmartcard-vpcd, pcsc-tools, libpcsclite-dev, openssh-server, chromium, fonts-noto-cjk,
#     poppler-utils, softhsm2 (the real PKCS#11 module of the card tests; each test makes its own tokens in a temporary
#     SOFTHSM2_CONF), opensc (pkcs11-tool) (installed only if missing; `apt-get update` only when something must be installed)
#   - pcscd running, with the vpcd driver listening on 127.0.0.1:35963/35964 for the virtual cards
#   - PostgreSQL answering on 127.0.0.1:5432
# Exits non-zero with a clear message when something cannot be set up. Needs root for the first set-up only.
set -euo pipefail

say() { echo "services.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

PACKAGES=(pcscd vsmartcard-vpcd pcsc-tools libpcsclite-dev openssh-server chromium fonts-noto-cjk poppler-utils softhsm2 opensc)
VPCD_PORT=35963

# --- packages -------------------------------------------------------------------------------------------------------
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)"
  for p in "${PACKAGES[@]}"; do
    grep -qE "^${p} ii" <<<"$installed" || missing+=("$p")
  done
else
  die "dpkg-query not found: this script sets up a Debian machine; install ${PACKAGES[*]} by hand"
fi
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}) and not root: run 'apt-get install ${missing[*]}' as root"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
fi

# --- pcscd + vpcd ---------------------------------------------------------------------------------------------------
port_listening() { # $1 = port number; reads /proc so it needs neither ss nor netstat
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -qiE "^ *[0-9]+: [0-9A-F]+${hex}[0-9A-F]+:[0-9A-F]+ 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

[[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || die "vpcd driver /usr/lib/pcsc/drivers/serial/libifdvpcd.so missing (package vsmartcard-vpcd)"
grep -qs 'libifdvpcd' /etc/reader.conf.d/* || die "no /etc/reader.conf.d entry loads libifdvpcd.so (reinstall vsmartcard-vpcd)"

if ! port_listening "$VPCD_PORT"; then
  if [[ -s /run/pcscd/pcscd.pid ]] && kill -0 "$(cat /run/pcscd/pcscd.pid)" 2>/dev/null; then
    # pcscd runs but without vpcd (started before the driver was installed): restart that daemon, by its pid file.
    pid=$(cat /run/pcscd/pcscd.pid)
    say "pcscd (pid $pid) runs without the vpcd driver; restarting it"
    kill "$pid" || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [[ $(id -u) -eq 0 ]] || die "pcscd is not running and not root: start it with 'sudo pcscd'"
  say "starting pcscd"
  mkdir -p /run/pcscd
  pcscd || die "pcscd failed to start"
  for _ in $(seq 1 50); do port_listening "$VPCD_PORT" && break; sleep 0.1; done
  port_listening "$VPCD_PORT" || die "pcscd started but vpcd does not listen on port $VPCD_PORT (see /etc/reader.conf.d/vpcd)"
fi

# --- PostgreSQL -----------------------------------------------------------------------------------------------------
if ! port_listening 5432; then
  command -v pg_ctlcluster >/dev/null 2>&1 || die "PostgreSQL is not listening on 127.0.0.1:5432 and pg_ctlcluster is not installed"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    say "starting PostgreSQL $v/main"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || die "could not start PostgreSQL cluster $v/main"
  done
  for _ in $(seq 1 100); do port_listening 5432 && break; sleep 0.1; done
  port_listening 5432 || die "PostgreSQL does not answer on 127.0.0.1:5432"
fi
exit 0

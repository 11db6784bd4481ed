#!/usr/bin/env bash
# Makes sure the local PostgreSQL 15 runs and has the pgvector extension; the PostgreSQL store's tests need both.
# Idempotent: exits at once when the server already offers `vector`. Run as root (apt-get, make install).
#
# pgvector is built from Debian trixie's source package (0.8.x: iterative HNSW scans) against this machine's
# PostgreSQL 15, through a private apt configuration, so the system's sources and package lists stay untouched.
set -euo pipefail

PG_MAJOR=15
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"

log() { echo "pgvector.sh: $*" >&2; }

ensure_running() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    return 0
  fi
  log "starting PostgreSQL ${PG_MAJOR}"
  pg_ctlcluster --skip-systemctl-redirect "${PG_MAJOR}" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 1
  done
  log "PostgreSQL does not accept connections on 127.0.0.1:5432"
  return 1
}

vector_available() {
  # Asks the server when it runs (what CREATE EXTENSION will see); the control file otherwise.
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    [ "$(psql -h 127.0.0.1 -U postgres -d postgres -XAtqc \
      "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'" 2>/dev/null || echo 0)" = "1" ]
  else
    [ -f "$CONTROL" ]
  fi
}

debian_mirror() {
  # The Debian mirror this machine already uses (deb822 .sources or one-line .list files), without its /debian.
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n' | grep -E '^https?://[^ ]*/debian/?$' | head -n 1 || true)"
  if [ -z "$uri" ]; then
    uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(https\?:\/\/[^ ]*\/debian\/\?\)[[:space:]].*/\2/p' \
      | head -n 1 || true)"
  fi
  uri="${uri%/}"
  uri="${uri%/debian}"
  echo "${uri:-http://deb.debian.org}"
}

ensure_running
if vector_available; then
  exit 0
fi

missing=()
for pkg in "postgresql-server-dev-${PG_MAJOR}" make gcc; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work" # apt downloads as the unprivileged _apt user when it can reach the directory
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
echo "deb-src ${signed}$(debian_mirror)/debian trixie main" >"$work/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
)
log "fetching the pgvector source package from $(debian_mirror) (trixie)"
apt-get "${apt_opts[@]}" update -qq
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector)

cd "$work/src"
orig="$(ls pgvector_*.orig.tar.* | head -n 1)"
tar xf "$orig"
dir="$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
log "building ${dir#./} against PostgreSQL ${PG_MAJOR}"
make -s -C "$dir" PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C "$dir" PG_CONFIG="$PG_CONFIG" install >/dev/null

if ! vector_available; then
  log "pgvector was built but PostgreSQL does not list the extension"
  exit 1
fi
log "pgvector installed"

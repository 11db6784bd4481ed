#!/usr/bin/env bash
# Installs the official npm clients the server's tests drive for real (Mem0's TypeScript client, mem0ai, at the
# exact version pinned in mnemo4j-server/src/test/node/package-lock.json). Idempotent: a no-op when node_modules
# is up to date with the lock file. Node.js 18+ comes from Debian (apt-get, as root) when it is missing.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

DIR=mnemo4j-server/src/test/node

log() { echo "node-clients.sh: $*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'Number(process.versions.node.split(".")[0])' 2>/dev/null || echo 0)" -ge 18 ]
}

if ! node_ok; then
  log "installing Node.js and npm from Debian"
  if [ "$(id -u)" -ne 0 ]; then
    log "Node.js 18+ and npm are needed; run as root or install them (apt-get install nodejs npm)"
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  node_ok || { log "Node.js 18 or newer is needed, got $(node --version 2>/dev/null || echo none)"; exit 1; }
fi

# npm writes node_modules/.package-lock.json on every install: newer than the lock file means up to date.
if [ -f "$DIR/node_modules/.package-lock.json" ] && [ "$DIR/node_modules/.package-lock.json" -nt "$DIR/package-lock.json" ]; then
  exit 0
fi
log "installing $DIR (npm ci)"
# Peer dependencies are the client's optional vector-store and LLM back ends (native builds among them): the
# hosted-API client needs none. No install scripts run.
(cd "$DIR" && npm ci --omit=peer --ignore-scripts --no-audit --no-fund --loglevel=error)

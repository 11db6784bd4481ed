#!/usr/bin/env bash
# Installs the real clients the tests drive, each at the version its package-lock.json pins:
#   mnemo4j-server/src/test/node   Mem0's official TypeScript client (mem0ai), driven against the server
#   mnemo4j-mcp/src/test/node      the official MCP TypeScript SDK client, over stdio and Streamable HTTP
#   mnemo4j-cli/src/test/e2e       playwright-core, driving Debian's /usr/bin/chromium against the web console
# plus what they run on: Node.js 20+ with npm, and Chromium (Debian packages, apt-get as root). Idempotent: a
# directory is installed again only when its node_modules is missing or older than its lock file. node_modules
# directories are git-ignored; no install scripts run and playwright-core never downloads a browser of its own.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
CHROMIUM=/usr/bin/chromium
DIRS=(mnemo4j-server/src/test/node mnemo4j-mcp/src/test/node mnemo4j-cli/src/test/e2e)

log() { echo "test-clients.sh: $*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    [ "$(node -p 'Number(process.versions.node.split(".")[0])' 2>/dev/null || echo 0)" -ge 20 ]
}

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
node_ok || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "needed and missing: ${missing[*]} (Node.js 20+); install them, or run as root with apt-get"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Other jobs on the machine may hold the dpkg lock for a while; wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x "$CHROMIUM" ] || { log "$CHROMIUM is still missing after installing chromium"; exit 1; }
node_ok || { log "Node.js 20 or newer is needed, got $(node --version 2>/dev/null || echo none)"; exit 1; }

for dir in "${DIRS[@]}"; do
  # npm writes node_modules/.package-lock.json on every install: newer than the lock file means up to date.
  marker="$ROOT/$dir/node_modules/.package-lock.json"
  if [ -f "$marker" ] && [ "$marker" -nt "$ROOT/$dir/package-lock.json" ]; then
    continue
  fi
  log "installing $dir (npm ci)"
  # --omit=peer: mem0ai's peers are optional vector-store and LLM back ends (native builds among them) that the
  # hosted-API client never loads.
  (cd "$ROOT/$dir" && npm ci --omit=peer --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
done

#!/usr/bin/env bash
# Installs the Node.js packages the tests drive: the official MCP TypeScript SDK client
# (@modelcontextprotocol/sdk, pinned by mnemo4j-mcp/src/test/node/package-lock.json), used by the MCP tests of
# mnemo4j-mcp, mnemo4j-server and mnemo4j-cli. Needs Node.js 20+ (the SDK's HTTP server dependency requires it) and
# npm: installed with apt-get when missing and running as root. Idempotent: `npm ci` runs only when node_modules is
# missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
DIR=mnemo4j-mcp/src/test/node

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Node.js and npm (apt-get) for the MCP client tests..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  else
    echo "error: the MCP client tests need Node.js 20+ and npm (e.g. apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "error: the MCP client tests need Node.js 20 or newer; found $(node --version)" >&2
  exit 1
fi

marker="$DIR/node_modules/.package-lock.json"
if [ ! -f "$marker" ] || [ "$DIR/package-lock.json" -nt "$marker" ]; then
  echo "installing the MCP TypeScript SDK client for the tests (npm ci in $DIR)..." >&2
  npm ci --prefix "$DIR" --no-audit --no-fund --loglevel=error >&2
fi

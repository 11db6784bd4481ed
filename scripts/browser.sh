#!/usr/bin/env bash
# Makes sure the web console's browser tests can run: Debian's Chromium at /usr/bin/chromium, Node.js with npm,
# and playwright-core at the version pinned in mnemo4j-cli/src/test/e2e/package-lock.json, installed into that
# directory's git-ignored node_modules. Idempotent: a no-op when all three are there. Installing packages needs
# root (apt-get); run by ./run-tests before Maven, like scripts/pgvector.sh.
#
# playwright-core never downloads a browser of its own: the tests launch /usr/bin/chromium.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
E2E="$ROOT/mnemo4j-cli/src/test/e2e"
CHROMIUM=/usr/bin/chromium

log() { echo "browser.sh: $*" >&2; }

apt_install() {
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  # Other jobs on the machine may hold the dpkg lock for a while; wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi
[ -x "$CHROMIUM" ] || { log "$CHROMIUM is still missing after installing chromium"; exit 1; }

# The version package-lock.json pins, and the one installed (if any).
wanted="$(node -e 'console.log(require(process.argv[1]).packages["node_modules/playwright-core"].version)' \
  "$E2E/package-lock.json")"
installed="$(node -e 'try { console.log(require(process.argv[1]).version) } catch (e) { console.log("") }' \
  "$E2E/node_modules/playwright-core/package.json")"
if [ "$installed" != "$wanted" ]; then
  log "installing playwright-core $wanted into ${E2E#"$ROOT"/}/node_modules"
  (cd "$E2E" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
fi

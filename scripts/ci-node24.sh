#!/usr/bin/env bash
# CI's second leg (called by .ci/run after the suite passed on the machine's Node): the same
# checks on Node 24, the Active LTS the Docker image runs.
#
# - Node 24 comes from the npm registry (node-linux-<arch>, the binary the `node` package
#   installs), cached in $NODE24_HOME; nothing is downloaded from anywhere else.
# - A copy of the checkout gets its own node_modules, installed by `npm ci` under Node 24:
#   native modules (better-sqlite3) are built per Node ABI, so the machine's node_modules cannot
#   be shared. npm_config_nodedir points node-gyp at Node 24's own headers (shipped in the same
#   package), so a build from source needs no header download either.
# - That install must print no warning at all (no EBADENGINE, no unreviewed install script).
# - Then: build, the image-like start check, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

arch=$(node -p 'process.arch')
NODE24_HOME="${NODE24_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ghl-roofr-gateway/node24}"
node24_dir="$NODE24_HOME/node_modules/node-linux-$arch"
if ! "$node24_dir/bin/node" --version 2>/dev/null | grep -q '^v24\.'; then
  echo "ci(node24): installing node-linux-$arch@24 from the npm registry into $NODE24_HOME"
  mkdir -p "$NODE24_HOME"
  npm install --prefix "$NODE24_HOME" --no-audit --no-fund --loglevel=error "node-linux-$arch@24"
fi
node24_version=$("$node24_dir/bin/node" --version)
echo "ci(node24): using Node $node24_version"

work=$(mktemp -d "${TMPDIR:-/tmp}/gateway-node24.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
tar --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./data --exclude=./coverage \
  --exclude=./bench/peers/node_modules --exclude=./test/e2e/output -cf - . | tar -xf - -C "$work"
cd "$work"

export PATH="$node24_dir/bin:$PATH"
export npm_config_nodedir="$node24_dir"
[ "$(node --version)" = "$node24_version" ] || { echo "ci(node24): node on PATH is $(node --version)" >&2; exit 1; }

echo "ci(node24): npm ci"
npm ci --no-audit --no-fund 2>&1 | tee "$work/install.log"
if grep -E '^npm (warn|WARN)' "$work/install.log" >/dev/null; then
  echo "ci(node24): npm ci printed warnings on Node $node24_version:" >&2
  grep -E '^npm (warn|WARN)' "$work/install.log" >&2
  exit 1
fi
node -e "new (require('better-sqlite3'))(':memory:').close()" ||
  { echo "ci(node24): better-sqlite3 does not load on Node $node24_version" >&2; exit 1; }

npm run build
node scripts/check-dist-start.mjs
npm test
echo "ci(node24): suite green on Node $node24_version in $((SECONDS - started)) s (install, build, start check, tests)"

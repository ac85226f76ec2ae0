#!/usr/bin/env bash
# Pack the built packages exactly as they would be published (pnpm pack rewrites workspace:
# ranges), then, for each scenario below, install only the tarballs it names into an empty npm
# project with no registry access (--offline: @rnnkit peers are met by the tarballs themselves)
# and run its smoke script there (and a tsc type-check against the shipped .d.ts files).
# Run from anywhere after `nx run-many -t build`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SMOKE="$ROOT/tools/ci/pack-smoke"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tgz"

tarball() { echo "$WORK/tgz/rnnkit-$1-0.1.0.tgz"; }

pack() {
  local p=$1
  [ -f "$ROOT/packages/$p/dist/index.js" ] || { echo "pack-check: packages/$p/dist/index.js missing; build first" >&2; exit 1; }
  (cd "$ROOT/packages/$p" && pnpm pack --pack-destination "$WORK/tgz" >/dev/null)
  # Nothing workspace-only may leak into a published manifest.
  if tar -xOzf "$(tarball "$p")" package/package.json | grep -q -e '"workspace:' -e '"@rnnkit/source"'; then
    echo "pack-check: $p: packed package.json still has a workspace: range or the @rnnkit/source condition" >&2; exit 1
  fi
}

# scenario NAME "PKG..." SCRIPT [TS-FILE]: a fresh app with only those tarballs installed.
# NET=online lets npm fetch third-party dependencies (never @rnnkit ones: those are all tarballs).
scenario() {
  local name=$1 pkgs=$2 script=$3 ts=${4:-}
  local mode=(--offline)
  [ "${NET:-offline}" = online ] && mode=(--prefer-offline --omit=optional)
  local app="$WORK/app-$name" tgzs=()
  for p in $pkgs; do tgzs+=("$(tarball "$p")"); done
  mkdir -p "$app" && cd "$app"
  npm init -y >/dev/null
  npm pkg set type=module private=true
  npm install "${mode[@]}" --no-audit --no-fund --no-package-lock "${tgzs[@]}" >/dev/null
  cp "$SMOKE/$script" .
  case "$script" in *.sh) bash "$script" ;; *) node "$script" ;; esac
  if [ -n "$ts" ]; then
    cp "$SMOKE/$ts" .
    sed "s/\"smoke.ts\"/\"$ts\"/" "$SMOKE/tsconfig.json" > tsconfig.json
    "$ROOT/node_modules/.bin/tsc" -p tsconfig.json
  fi
  echo "pack-check: $name OK (installed: $pkgs)"
}

ALL="tensor backend-cpu backend-wasm backend-webgpu autograd cells nn bptt optim data io diagnostics interop cli"
for p in $ALL; do pack "$p"; done
echo "pack-check: packed $(ls "$WORK/tgz" | tr '\n' ' ')"

scenario core "tensor backend-cpu autograd" smoke.mjs smoke.ts
scenario recurrent "cells backend-cpu tensor autograd nn bptt" smoke-rnn.mjs smoke-rnn.ts
# The CLI pulls protobufjs (interop) from the registry; `webgpu` (optional) is left out.
NET=online scenario cli "$ALL" smoke-cli.sh

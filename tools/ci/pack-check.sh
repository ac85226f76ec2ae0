#!/usr/bin/env bash
# Pack the built tensor, backend-cpu and autograd packages exactly as they would be
# published (pnpm pack rewrites workspace: ranges), install the tarballs into an empty
# npm project with no registry access (--offline: peers are satisfied by the tarballs
# themselves), then run tools/ci/pack-smoke/smoke.mjs and type-check smoke.ts with the
# workspace's tsc against the shipped .d.ts files.
# Run from anywhere after `nx run-many -t build`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PACKAGES=(tensor backend-cpu autograd)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tgz" "$WORK/app"

for p in "${PACKAGES[@]}"; do
  [ -f "$ROOT/packages/$p/dist/index.js" ] || { echo "pack-check: packages/$p/dist/index.js missing; build first" >&2; exit 1; }
  (cd "$ROOT/packages/$p" && pnpm pack --pack-destination "$WORK/tgz" >/dev/null)
done
TARBALLS=("$WORK"/tgz/*.tgz)
echo "pack-check: packed ${TARBALLS[*]##*/}"

for t in "${TARBALLS[@]}"; do
  # Nothing workspace-only may leak into a published manifest.
  if tar -xOzf "$t" package/package.json | grep -q -e '"workspace:' -e '"@rnnkit/source"'; then
    echo "pack-check: $t: packed package.json still has a workspace: range or the @rnnkit/source condition" >&2; exit 1
  fi
done

cd "$WORK/app"
npm init -y >/dev/null
npm pkg set type=module private=true
# One install for all tarballs, so each @rnnkit peer is met by a tarball;
# --offline proves that nothing is fetched from the registry.
npm install --offline --no-audit --no-fund --no-package-lock "${TARBALLS[@]}"

cp "$ROOT/tools/ci/pack-smoke/smoke.mjs" "$ROOT/tools/ci/pack-smoke/smoke.ts" "$ROOT/tools/ci/pack-smoke/tsconfig.json" .
node smoke.mjs
"$ROOT/node_modules/.bin/tsc" -p tsconfig.json
echo "pack-check: OK (node smoke.mjs + tsc on the installed tarballs)"

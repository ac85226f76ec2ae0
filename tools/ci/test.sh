#!/usr/bin/env bash
# The test command: bash tools/ci/test.sh   (also: pnpm ci, .ci/run)
# Build, typecheck, lint (incl. package boundaries), pack + install the tarballs in a
# scratch npm project, publint, then every vitest project. The last line of output is
# "N passed, N failed, N skipped"; the exit code is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
START_SECONDS=$SECONDS
# shellcheck source=tools/ci/setup.sh
source tools/ci/setup.sh

# WebGPU tests run for real: Dawn (Node) needs a Vulkan driver, which Debian's chromium ships
# (SwiftShader), plus the system libvulkan; the browser tests drive that chromium headless.
if ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  step "apt-get install chromium libvulkan1 (WebGPU in Node and in the browser)"
  APT=(apt-get)
  if [ "$(id -u)" != 0 ]; then APT=(sudo -n apt-get); fi
  "${APT[@]}" update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq chromium >&2
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq --no-install-recommends libvulkan1 >&2
fi
export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json

step "nx run-many -t build typecheck lint"
pnpm exec nx run-many -t build typecheck lint --skip-nx-cache --outputStyle=stream >&2

step "check-deps + lint of tools/ and root configs"
pnpm run --silent lint:root >&2

step "pack check (pnpm pack -> npm install in a scratch project -> smoke.mjs + tsc)"
bash tools/ci/pack-check.sh >&2

step "publint"
PUBLISHABLE=$(node -e '
  const fs = require("fs");
  for (const d of fs.readdirSync("packages").sort()) {
    const f = `packages/${d}/package.json`;
    if (fs.existsSync(f) && !JSON.parse(fs.readFileSync(f, "utf8")).private) console.log(d);
  }')
for p in $PUBLISHABLE; do
  pnpm exec publint run "packages/$p" --strict >&2
done

step "vitest run (all projects)"
TMP_DIR="$(mktemp -d)"
trap 'rm -rf "$TMP_DIR"' EXIT
VITEST_RC=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$TMP_DIR/vitest.json" >&2 || VITEST_RC=$?

printf '\n==> done in %ss\n' "$((SECONDS - START_SECONDS))" >&2
node tools/ci/summary.mjs "$TMP_DIR/vitest.json" "$VITEST_RC"

#!/usr/bin/env bash
# Main job: set up like CI, then train a character-level LSTM on the bundled Moby-Dick for a
# five-minute time box with the rnnkit command, and sample from the checkpoint it wrote.
# Output goes to ./rnnkit-out (checkpoint, sample.txt, report.html).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/ci/setup.sh
source tools/ci/setup.sh
OUT="$PWD/rnnkit-out"

step "rnnkit train --time 5m --out rnnkit-out   (bundled Moby-Dick, fast CPU backend)"
pnpm --silent --filter @rnnkit/cli rnnkit train --time "${RNNKIT_TIME:-5m}" --out "$OUT"

step "rnnkit sample rnnkit-out/checkpoint.safetensors"
pnpm --silent --filter @rnnkit/cli rnnkit sample "$OUT/checkpoint.safetensors" --prime "Call me " --length 400

#!/usr/bin/env bash
# Main job: set up like CI, then run the example training script.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tools/ci/setup.sh
source tools/ci/setup.sh

step "pnpm --filter @rnnkit/examples train"
pnpm --filter @rnnkit/examples train

# shellcheck shell=bash
# Shared CI set-up, sourced (not run) by tools/ci/test.sh and tools/ci/main.sh from the repo root.
# Works on a fresh Debian 12 with only Node 20 + npm, as root or not:
#   - makes `pnpm` 12.4.2 available on PATH (npm i -g, else an npx-backed shim);
#   - pnpm install --frozen-lockfile;
#   - exports NX_DAEMON=false NX_NO_CLOUD=true.

PNPM_VERSION=12.4.2

step() { printf '\n==> %s\n' "$*" >&2; }

pnpm_ok() { [ "$(pnpm --version 2>/dev/null || true)" = "$PNPM_VERSION" ]; }

step "node $(node --version), npm $(npm --version)"

if ! pnpm_ok; then
  step "installing pnpm@$PNPM_VERSION"
  SUDO=()
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  fi
  "${SUDO[@]}" npm install -g --no-audit --no-fund "pnpm@$PNPM_VERSION" >&2 || true
  hash -r
  if ! pnpm_ok; then
    # No write access to npm's global prefix: put a shim first on PATH that runs
    # pnpm through npx, so nx's child processes (`pnpm run ...`) find it too.
    step "npm i -g failed; using npx -y pnpm@$PNPM_VERSION through a shim"
    PNPM_SHIM_DIR="$(mktemp -d)"
    printf '#!/usr/bin/env bash\nexec npx -y "pnpm@%s" "$@"\n' "$PNPM_VERSION" >"$PNPM_SHIM_DIR/pnpm"
    chmod +x "$PNPM_SHIM_DIR/pnpm"
    export PATH="$PNPM_SHIM_DIR:$PATH"
    hash -r
  fi
  pnpm_ok || { echo "error: could not get pnpm $PNPM_VERSION (got: $(pnpm --version 2>&1 || true))" >&2; exit 1; }
fi
PNPM=pnpm
export PNPM

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE_WARNING=true
export CI="${CI:-true}"

step "pnpm $(pnpm --version): install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only >&2

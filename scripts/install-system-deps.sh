#!/usr/bin/env bash
# Installs the C library and tools loom builds against, if they are missing.
# Debian/Ubuntu via apt, macOS via Homebrew. `install-system-deps.sh build`
# installs only what compiling needs (`make unit`: no Python, no jq).
set -euo pipefail

need=()
pkg-config --exists libsecp256k1 2>/dev/null || need+=(libsecp256k1-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ "${1:-}" != build ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
    # jq: the examples/ scripts (and their test) pipe `loom … --json` through it.
    command -v jq >/dev/null || need+=(jq)
    # chromium: the dashboard's browser test (Playwright drives the system
    # browser; its own browser download is not used). Debian's package name.
    if command -v apt-get >/dev/null; then [ -x /usr/bin/chromium ] || need+=(chromium); fi
fi
[ ${#need[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing ${need[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
elif command -v brew >/dev/null; then
    brew install secp256k1 pkg-config jq
else
    echo "please install libsecp256k1 (with its pkg-config file) and pkg-config" >&2
    exit 1
fi

#!/usr/bin/env bash
# Installs the C library and tools loom builds against, if they are missing.
# Debian/Ubuntu via apt, macOS via Homebrew (the same needs, named as
# Homebrew names them: the `brew` branch below). `install-system-deps.sh
# build` installs only what compiling needs (`make unit`: no Python, no jq).
# Runs under macOS's bash 3.2 too: no bash 4 features, and no array is
# expanded while empty (`set -u` in bash 3.2 calls that an unbound variable).
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
    # On macOS the same tests drive Google Chrome (tests/interop/browser.py).
    if [ "$(uname -s)" = Darwin ]; then [ -d "/Applications/Google Chrome.app" ] || need+=(chromium); fi
fi
[ ${#need[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing ${need[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
elif command -v brew >/dev/null; then
    # macOS: Homebrew instead of apt, package by package (no sudo: Homebrew
    # refuses to run as root). The compiler, make and git come with Xcode's
    # command line tools (`xcode-select --install`), which Swift needs anyway.
    formulae=() casks=()
    for name in "${need[@]}"; do
        case $name in
            libsecp256k1-dev) formulae+=(secp256k1) ;;
            python3-venv) formulae+=(python3) ;;
            chromium) casks+=(google-chrome) ;;
            *) formulae+=("$name") ;; # pkg-config, jq: the same names
        esac
    done
    if [ ${#formulae[@]} -gt 0 ]; then
        echo "installing ${formulae[*]} with Homebrew (macOS)" >&2
        brew install "${formulae[@]}"
    fi
    if [ ${#casks[@]} -gt 0 ]; then
        echo "installing ${casks[*]} with Homebrew (macOS)" >&2
        brew install --cask "${casks[@]}"
    fi
else
    echo "please install libsecp256k1 (with its pkg-config file) and pkg-config" >&2
    exit 1
fi

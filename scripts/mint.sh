#!/usr/bin/env bash
# Starts a Nutshell Cashu mint on loopback with the FakeWallet Lightning
# backend (invoices pay themselves), for tests and the demo.
#   scripts/mint.sh PORT DATA_DIR [INPUT_FEE_PPK]
# INPUT_FEE_PPK defaults to 100, Nutshell's own default, so fees are on.
set -euo pipefail
port=$1
dir=$2
fee=${3:-100}
venv=${LOOM_VENV:-$(cd "$(dirname "$0")/.." && pwd)/.venv}
if [ ! -x "$venv/bin/mint" ]; then
    echo "Nutshell's mint is not installed in $venv; run: make deps" >&2
    exit 1
fi
mkdir -p "$dir"
cd "$dir"
export MINT_BACKEND_BOLT11_SAT=FakeWallet
export MINT_LISTEN_HOST=127.0.0.1
export MINT_LISTEN_PORT=$port
export MINT_DATABASE=$dir/db
export MINT_INPUT_FEE_PPK=$fee
# A fixed private key per data directory: restarting the mint keeps its keysets.
[ -f "$dir/mint.key" ] || python3 -c 'import secrets; print(secrets.token_hex(32))' > "$dir/mint.key"
export MINT_PRIVATE_KEY=$(cat "$dir/mint.key")
exec "$venv/bin/mint"

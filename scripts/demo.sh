#!/usr/bin/env bash
# `make demo`: what loom does today, on loopback, with nothing configured.
#  1. Nostr: a real relay; two keys; a signed event published, read back, verified; NIP-44 between the keys.
#  2. Cashu: a real Nutshell mint (FakeWallet Lightning); alice mints, pays bob a token, bob redeems it.
#  3. Blossom: `loom blossom serve`; a file uploaded and fetched back by its hash.
# The whole paid job (worker, status, change) joins this demo when the worker lands.
set -euo pipefail
cd "$(dirname "$0")/.."
LOOM=${LOOM:-.build/debug/loom}
export LOOM_VENV=${LOOM_VENV:-$PWD/.venv}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; echo "nothing listens on $1" >&2; return 1; }
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

relay_port=$(free_port); mint_port=$(free_port); blossom_port=$(free_port)
relay="ws://127.0.0.1:$relay_port"; mint="http://127.0.0.1:$mint_port"; blossom="http://127.0.0.1:$blossom_port"
scripts/relay.sh serve "$relay_port" "$work/relay" >"$work/relay.log" 2>&1 &
scripts/mint.sh "$mint_port" "$work/mint" >"$work/mint.log" 2>&1 &
$LOOM blossom serve --port "$blossom_port" --data-dir "$work/blossom" >"$work/blossom.log" 2>&1 &
wait_port "$relay_port"; wait_port "$mint_port"; wait_port "$blossom_port"
echo "== servers on loopback"
echo "relay      $relay (nostr-relay)"
echo "mint       $mint (Nutshell, FakeWallet, input fee 100 ppk)"
echo "blossom    $blossom (loom blossom serve)"

echo "== nostr"
alice=$($LOOM keygen --json --output "$work/alice.nsec" | json npub)
bob=$($LOOM keygen --json --output "$work/bob.nsec" | json npub)
echo "alice      $alice"
echo "bob        $bob"
event=$($LOOM nostr event --key-file "$work/alice.nsec" --kind 1 --content "hello from loom" --tag t=loom --relay "$relay" 2>/dev/null)
id=$(echo "$event" | json id)
echo "published  $id"
echo "read back  $($LOOM nostr req --relay "$relay" --id "$id" | $LOOM nostr verify)"
secret=$($LOOM nostr encrypt --key-file "$work/alice.nsec" --to "$bob" "a secret for bob")
echo "nip-44     ${secret:0:40}…"
echo "bob reads  $($LOOM nostr decrypt --key-file "$work/bob.nsec" --from "$alice" "$secret")"

echo "== cashu"
$LOOM wallet mint 100 --mint "$mint" --data-dir "$work/alice-wallet" 2>/dev/null
token=$($LOOM wallet send 21 --mint "$mint" --data-dir "$work/alice-wallet")
echo "token      ${token:0:40}… (21 sat)"
$LOOM wallet receive "$token" --mint "$mint" --data-dir "$work/bob-wallet"
echo "alice      $($LOOM wallet balance --mint "$mint" --data-dir "$work/alice-wallet")"
echo "bob        $($LOOM wallet balance --mint "$mint" --data-dir "$work/bob-wallet")"
$LOOM wallet audit --mint "$mint" --data-dir "$work/alice-wallet"
$LOOM wallet audit --mint "$mint" --data-dir "$work/bob-wallet"

echo "== blossom"
printf 'a job output from loom\n' > "$work/output.txt"
url=$($LOOM blossom upload "$work/output.txt" --key-file "$work/alice.nsec" --server "$blossom")
sha=$(sha256sum "$work/output.txt" | cut -d' ' -f1)
echo "uploaded   $url"
echo "fetched    $($LOOM blossom download "$sha" --server "$blossom")"

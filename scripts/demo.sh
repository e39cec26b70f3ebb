#!/usr/bin/env bash
# `make demo`: what loom does today, on loopback, with nothing configured.
# Starts a real Nostr relay, makes two keys, signs and publishes an event,
# reads it back, verifies it, and sends an encrypted note between the keys.
# (The whole paid job — mint, worker, Blossom — joins this demo as it lands.)
set -euo pipefail
cd "$(dirname "$0")/.."
LOOM=${LOOM:-.build/debug/loom}
VENV=${LOOM_VENV:-.venv}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
relay="ws://127.0.0.1:$port"
scripts/relay.sh serve "$port" "$work/relay" >"$work/relay.log" 2>&1 &
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
echo "relay     $relay (nostr-relay from PyPI)"

$LOOM keygen --output "$work/alice.nsec" >/dev/null
$LOOM keygen --output "$work/bob.nsec" >/dev/null
alice=$($LOOM keygen --json --output "$work/alice.nsec" --force | python3 -c 'import json,sys; print(json.load(sys.stdin)["npub"])')
bob=$($LOOM keygen --json --output "$work/bob.nsec" --force | python3 -c 'import json,sys; print(json.load(sys.stdin)["npub"])')
echo "alice     $alice"
echo "bob       $bob"

event=$($LOOM nostr event --key-file "$work/alice.nsec" --kind 1 --content "hello from loom" --tag t=loom --relay "$relay")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$event")
echo "published $id"
echo -n "read back "
$LOOM nostr req --relay "$relay" --id "$id" | $LOOM nostr verify
secret=$($LOOM nostr encrypt --key-file "$work/alice.nsec" --to "$bob" "a secret for bob")
echo "nip-44    ${secret:0:40}…"
echo -n "bob reads "
$LOOM nostr decrypt --key-file "$work/bob.nsec" --from "$alice" "$secret"
echo

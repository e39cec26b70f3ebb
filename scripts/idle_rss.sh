#!/usr/bin/env bash
# The idle worker's memory: `loom worker run` (release build) against a relay,
# a mint, `loom blossom serve` and the Ollama stub on loopback, whitelist on,
# /metrics on; read from /proc/<pid>/status once it has connected, advertised
# and subscribed, and again later. Linux only (/proc).
#
#   scripts/idle_rss.sh [SECONDS]     (the second reading after SECONDS, default 60)
#   LOOM_WORKER_ENV="KEY=VALUE …"     extra environment for the worker (to try settings)
set -euo pipefail
# What it measures is in /proc, which macOS does not have: say so rather than fail half-way.
[ "$(uname -s)" = Linux ] || { echo "idle_rss: Linux only (reads /proc); nothing measured" >&2; exit 1; }
cd "$(dirname "$0")/.."
root=$PWD
LOOM=${LOOM:-$root/.build/release/loom}
later=${1:-60}
[ -x "$LOOM" ] || { echo "no $LOOM; run: swift build -c release --product loom" >&2; exit 1; }
source scripts/stack.sh
stack_init "idle_rss"
unset NOSTR_PRIVATE_KEY NOSTR_PRIVATE_KEY_FILE DATA_DIR NOSTR_RELAYS CASHU_MINT_URL BLOSSOM_SERVER_URL

start_servers 0
start_backend stub
mkdir -p "$work/worker"
"$LOOM" keygen --output "$work/worker/worker.nsec" >/dev/null
"$LOOM" keygen --json --output "$work/client.key" | jq -r .npub >"$work/worker/whitelist"
cat >"$work/worker/.env" <<ENV
NOSTR_PRIVATE_KEY_FILE=worker.nsec
NOSTR_RELAYS=$relay
CASHU_MINT_URL=$mint
BLOSSOM_SERVER_URL=$blossom
INFERENCE_BACKEND=ollama
OLLAMA_URL=$backend_url
PRICE_PER_SECOND=1
WHITELIST_FILE=whitelist
DATA_DIR=$work/worker/data
METRICS_PORT=$(free_port)
ENV
chmod 600 "$work/worker/.env" "$work/worker/worker.nsec"
# shellcheck disable=SC2086
(cd "$work/worker" && exec env ${LOOM_WORKER_ENV:-} "$LOOM" worker run) >"$work/worker.log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "worker serving" "$work/worker.log" 2>/dev/null && break; sleep 0.1; done
grep -q "worker serving" "$work/worker.log" || fail "the worker did not start" "$work/worker.log"
read_status() {
    kill -0 "$pid" 2>/dev/null || fail "the worker exited" "$work/worker.log"
    awk -v at="$1" '/^(VmRSS|RssAnon|RssFile|VmHWM|Threads):/ { printf "%-4s %-9s %s %s\n", at, $1, $2, $3 }' "/proc/$pid/status"
}
sleep 10
read_status 10s
sleep "$later"
read_status "$((later + 10))s"
# Which files the resident pages come from, largest first.
awk '/^[0-9a-f]+-[0-9a-f]+ / { file = ($6 == "" ? "[anonymous]" : $6) } /^Rss:/ { rss[file] += $2 }
     END { for (f in rss) if (rss[f] >= 256) printf "%8d kB  %s\n", rss[f], f }' "/proc/$pid/smaps" | sort -rn | head -n 12

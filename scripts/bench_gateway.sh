#!/usr/bin/env bash
# `loom gateway` against llama-server asked directly, in one run, on loopback: a relay, a
# Nutshell mint without fees, `loom blossom serve`, llama.cpp's server with SmolLM2-135M (one
# slot, built once by scripts/llama.sh), one `loom worker run` on it (INFERENCE_BACKEND=openai,
# one job at a time, a queue of 32) and `loom gateway` paying it from a wallet of 5,000 sat.
# scripts/bench_gateway.py then measures time to first token and streamed tokens/s both ways
# (medians over ROUNDS, the order alternating) and the gateway's RSS idle and with K calls in
# flight (/proc/<pid>/status). docs/PERFORMANCE.md has the numbers. Linux only (/proc).
#
#   scripts/bench_gateway.sh [ROUNDS]      (default 10)
#   LOOM=path/to/loom                      default: .build/release/loom if it has `gateway`,
#                                          else .build/debug/loom (the output says which)
#   BENCH_TOKENS=128 BENCH_INFLIGHT="1 4 16" BENCH_INFLIGHT_TOKENS=256   what the driver asks for
#   BENCH_CALLS=1000                       also the gateway's memory over that many short calls (default 0: not run)
#   GATEWAY_HEAPTRACK=/tmp/gw              attach heaptrack (Debian's `heaptrack`, needs gdb) to the gateway once it
#                                          listens; the profile goes into that directory (outside the run's, which
#                                          is deleted) as heaptrack.loom.<pid>.zst (attached, heaptrack ignores -o):
#                                          `heaptrack_print <file> -l 1 -s 25` after. RSS then includes heaptrack's.
set -euo pipefail
# What it measures is in /proc, which macOS does not have: say so rather than fail half-way.
[ "$(uname -s)" = Linux ] || { echo "bench_gateway: Linux only (reads /proc); nothing measured" >&2; exit 1; }
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-10}
if [ -z "${LOOM:-}" ]; then
    if [ -x .build/release/loom ] && .build/release/loom gateway --help 2>&1 | grep -q 'USAGE: loom gateway'; then
        LOOM=$root/.build/release/loom
    else
        LOOM=$root/.build/debug/loom
    fi
fi
[ -x "$LOOM" ] || { echo "no $LOOM; run: swift build --product loom" >&2; exit 1; }
"$LOOM" gateway --help 2>&1 | grep -q 'USAGE: loom gateway' || { echo "$LOOM has no gateway command (stale build?)" >&2; exit 1; }
case $LOOM in
*/release/*) build=release ;;
*/debug/*) build=debug ;;
*) build="unknown build ($LOOM)" ;;
esac
[ -x .venv/bin/python ] && .venv/bin/python -c 'import openai' 2>/dev/null || { echo "no openai package in .venv; run: make deps" >&2; exit 1; }
source scripts/stack.sh
stack_init "bench_gateway"
unset NOSTR_PRIVATE_KEY NOSTR_PRIVATE_KEY_FILE DATA_DIR NOSTR_RELAYS CASHU_MINT_URL BLOSSOM_SERVER_URL LOOM_GATEWAY_API_KEY

start_servers 0
start_backend llama
echo "backend: $backend" >&2

mkdir -p "$work/worker" "$work/client"
worker_npub=$("$LOOM" keygen --json --output "$work/worker/worker.nsec" | jq -r .npub)
cat >"$work/worker/.env" <<ENV
NOSTR_PRIVATE_KEY_FILE=worker.nsec
NOSTR_RELAYS=$relay
CASHU_MINT_URL=$mint
BLOSSOM_SERVER_URL=$blossom
INFERENCE_BACKEND=openai
OPENAI_URL=$backend_url
MODELS=$model
PRICE_PER_SECOND=1
PRICE_UNIT=sat
WHITELIST_ENABLED=false
MAX_CONCURRENT_JOBS=1
MAX_QUEUE=32
ADVERTISEMENT_TTL=300
DATA_DIR=$work/worker/data
SHUTDOWN_GRACE=5
METRICS_PORT=$(free_port)
ENV
chmod 600 "$work/worker/.env" "$work/worker/worker.nsec"
(cd "$work/worker" && exec "$LOOM" worker run) >"$work/worker.log" 2>&1 &
worker_pid=$!
listed=
for _ in $(seq 120); do
    kill -0 "$worker_pid" 2>/dev/null || fail "the worker exited" "$work/worker.log"
    if "$LOOM" workers --relay "$relay" --data-dir "$work/client" --json 2>/dev/null |
        jq -e --arg w "$worker_npub" 'any(.[]; .npub == $w)' >/dev/null; then listed=1; break; fi
    sleep 1
done
[ -n "$listed" ] || fail "the worker never appeared in 'loom workers'" "$work/worker.log"

"$LOOM" wallet mint 5000 --mint "$mint" --data-dir "$work/client" >/dev/null 2>"$work/mint-wallet.log" ||
    fail "minting failed" "$work/mint-wallet.log"
gateway_port=$(free_port)
LOOM_LOG_LEVEL=${GATEWAY_LOG_LEVEL:-info} "$LOOM" gateway --port "$gateway_port" --relay "$relay" --mint "$mint" --data-dir "$work/client" \
    --max-concurrent 32 >"$work/gateway.log" 2>&1 &
gateway_pid=$!
# A paid call runs to its result even when the gateway is told to stop, so an interrupted run would leave it
# waiting out --timeout: it gets 10 s, then SIGKILL, before the rest of the stack stops.
trap 'kill "$gateway_pid" 2>/dev/null || true; for _ in $(seq 50); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$gateway_pid" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
wait_port "$gateway_port" "$work/gateway.log"
if [ -n "${GATEWAY_HEAPTRACK:-}" ]; then
    # In a subshell, so it is not one of this shell's jobs: the trap must not stop it before the gateway has
    # exited and its profile is written.
    mkdir -p "$GATEWAY_HEAPTRACK"
    (cd "$GATEWAY_HEAPTRACK" && setsid heaptrack -p "$gateway_pid" >heaptrack.log 2>&1 &)
    sleep 3
fi

echo "loom: $LOOM ($build build, $(git rev-parse --short HEAD 2>/dev/null || echo '?'))" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
.venv/bin/python scripts/bench_gateway.py --direct "$backend_url" --gateway "http://127.0.0.1:$gateway_port/v1" \
    --model "$model" --pid "$gateway_pid" --rounds "$rounds" --tokens "${BENCH_TOKENS:-128}" \
    --inflight ${BENCH_INFLIGHT:-1 4 16} --inflight-tokens "${BENCH_INFLIGHT_TOKENS:-256}" --build "$build" \
    --gateway-log "$work/gateway.log" --worker-log "$work/worker.log" --calls "${BENCH_CALLS:-0}" || {
    # A gateway that died says how (a signal is 128 + its number).
    if ! kill -0 "$gateway_pid" 2>/dev/null; then
        wait "$gateway_pid" && status=0 || status=$?
        fail "the benchmark failed: the gateway exited with status $status" "$work/gateway.log" "$work/worker.log"
    fi
    fail "the benchmark failed" "$work/gateway.log" "$work/worker.log"
}
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

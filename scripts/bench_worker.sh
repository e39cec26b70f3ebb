#!/usr/bin/env bash
# The worker benchmarks (`loom-bench --filter worker`) against real servers on
# loopback: a relay, a Nutshell mint without fees, `loom blossom serve`, and a
# backend: llama.cpp's server with SmolLM2-135M (built once by scripts/llama.sh),
# or with `--stub` the Ollama-protocol stub streaming as fast as it can.
#
#   scripts/bench_worker.sh [--stub] [SECONDS]     (SECONDS: rounds per measure, default 5)
#
# Uses the release builds of loom (the servers) and loom-bench (the measures):
# `swift build -c release --product loom` and `… --product loom-bench` (or `make bench` once).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
LOOM=${LOOM:-$root/.build/release/loom}
LOOM_BENCH=${LOOM_BENCH:-$root/.build/release/loom-bench}
kind=llama
[ "${1:-}" = --stub ] && { kind=stub; shift; }
seconds=${1:-5}
[ -x "$LOOM" ] || { echo "no $LOOM; run: swift build -c release --product loom" >&2; exit 1; }
[ -x "$LOOM_BENCH" ] || { echo "no $LOOM_BENCH; run: swift build -c release --product loom-bench" >&2; exit 1; }
source scripts/stack.sh
stack_init "bench_worker"

start_servers 0
if [ $kind = stub ]; then
    # 30,000 one-letter words: a reply of a few seconds, streamed with no pause between tokens
    # (an argument must stay under 128 KiB).
    start_backend stub --tokens-per-second 0 --reply "$(python3 -c 'print(" ".join(["a"] * 30000))')"
else
    # llama even when an Ollama runs: the same model everywhere keeps numbers comparable.
    start_backend llama
fi
echo "backend: $backend, model $model" >&2

env=(LOOM_BENCH_RELAY="$relay" LOOM_BENCH_MINT="$mint" LOOM_BENCH_BLOSSOM="$blossom" LOOM_BENCH_MODEL="$model")
case $backend_kind in
openai) env+=(LOOM_BENCH_OPENAI_URL="$backend_url") ;;
*) env+=(LOOM_BENCH_OLLAMA_URL="$backend_url") ;;
esac
env "${env[@]}" "$LOOM_BENCH" --filter worker --seconds "$seconds"

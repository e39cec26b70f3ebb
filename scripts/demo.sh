#!/usr/bin/env bash
# `make demo`: one whole paid job on loopback, with nothing configured.
#  servers: a Nostr relay, a Nutshell mint (FakeWallet Lightning), `loom blossom serve`,
#           and a model backend: Ollama if one runs, else llama.cpp's server with SmolLM2-135M
#           (built by scripts/llama.sh on the first run, about 8 minutes on 2 cores);
#           LOOM_DEMO_BACKEND=stub uses the Ollama-protocol stub instead (no model at all);
#  worker:  `loom worker run` with its own .env and a whitelist holding the client;
#  client:  mints ecash, `loom job submit`, gets the answer and redeems the change;
#  then:    the worker stops (SIGTERM), its advertisement goes offline, both wallets are
#           audited, and paid = charged + change + fees is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
LOOM=${LOOM:-$root/.build/debug/loom}
[[ $LOOM = /* ]] || LOOM=$root/$LOOM
unset NOSTR_PRIVATE_KEY NOSTR_PRIVATE_KEY_FILE DATA_DIR NOSTR_RELAYS CASHU_MINT_URL BLOSSOM_SERVER_URL
worker_pid=
started=$(date +%s)

source scripts/stack.sh
stack_init "DEMO FAILED"

start_servers 100
echo "== servers on loopback"
echo "relay      $relay (nostr-relay)"
echo "mint       $mint (Nutshell, FakeWallet, input fee 100 ppk)"
echo "blossom    $blossom (loom blossom serve)"

# --- the model backend: Ollama if one runs, else llama.cpp (built once) ----------------
if [ "${LOOM_DEMO_BACKEND:-}" = stub ]; then
    start_backend stub
    echo
    echo "!! LOOM_DEMO_BACKEND=stub: the answer below comes from scripts/ollama_stub.py, a"
    echo "!! stand-in, not a model. Without that setting the demo uses Ollama or llama.cpp."
    echo
else
    start_backend
fi
case $backend_kind in
openai) backend_env=(INFERENCE_BACKEND=openai "OPENAI_URL=$backend_url") ;;
*) backend_env=(INFERENCE_BACKEND=ollama "OLLAMA_URL=$backend_url") ;;
esac
echo "backend    $backend, model $model"

# --- keys, worker folder ---------------------------------------------------------------
echo "== worker"
mkdir -p "$work/worker" "$work/client"
worker_npub=$("$LOOM" keygen --json --output "$work/worker/worker.nsec" | jq -r .npub)
client_npub=$("$LOOM" keygen --json --output "$work/client/client.key" | jq -r .npub)
chmod 600 "$work/worker/worker.nsec" "$work/client/client.key"
echo "$client_npub" >"$work/worker/whitelist"
metrics_port=$(free_port)
{
    echo "NOSTR_PRIVATE_KEY_FILE=worker.nsec"
    echo "WORKER_NAME=demo worker"
    echo "NOSTR_RELAYS=$relay"
    echo "CASHU_MINT_URL=$mint"
    echo "BLOSSOM_SERVER_URL=$blossom"
    echo "PRICE_PER_SECOND=1"
    echo "PRICE_UNIT=sat"
    echo "MIN_JOB_DURATION=1"
    echo "MAX_JOB_DURATION=60"
    echo "WHITELIST_ENABLED=true"
    echo "WHITELIST_FILE=whitelist"
    printf '%s\n' "${backend_env[@]}"
    echo "MODELS=$model"
    echo "ADVERTISEMENT_TTL=60"
    echo "DATA_DIR=$work/worker/data"
    echo "SHUTDOWN_GRACE=5"
    echo "METRICS_PORT=$metrics_port"
} >"$work/worker/.env"
chmod 600 "$work/worker/.env"
echo "worker     $worker_npub (1 sat/s, whitelist: the client only)"
echo "client     $client_npub"
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
echo "advertised $("$LOOM" workers --relay "$relay" --data-dir "$work/client" | grep -F "${worker_npub:0:16}" || echo "$worker_npub")"

# --- the client pays for a job ---------------------------------------------------------
echo "== job"
"$LOOM" wallet mint 100 --mint "$mint" --data-dir "$work/client" >/dev/null 2>"$work/client-mint.log" || fail "minting failed" "$work/client-mint.log"
balance_before=$("$LOOM" wallet balance --mint "$mint" --data-dir "$work/client")
question="What is the capital of France? Answer in one sentence."
echo "question   $question"
set +e
result=$("$LOOM" job submit "$question" --seconds 20 --model "$model" --worker "$worker_npub" --relay "$relay" \
    --mint "$mint" --data-dir "$work/client" --timeout 300 --json 2>"$work/submit.log")
rc=$?
set -e
[ $rc -eq 0 ] && [ "$(jq -r .status <<<"$result")" = completed ] ||
    { echo "$result" >&2; fail "the job did not complete (exit $rc)" "$work/submit.log" "$work/worker.log"; }
balance_after=$("$LOOM" wallet balance --mint "$mint" --data-dir "$work/client")
paid=$(jq -r .bill.paid_sat <<<"$result"); charged=$(jq -r .bill.charged_sat <<<"$result")
fees=$(jq -r .bill.mint_fee_sat <<<"$result"); change=$(jq -r .bill.change_sat <<<"$result")
echo "answer     $(jq -r '.output // ""' <<<"$result" | tr '\n' ' ' | cut -c1-300)"
echo "usage      $(jq -c '.usage' <<<"$result")"
echo "bill       paid $paid sat = charged $charged + change $change + mint fees $fees"
echo "redeemed   $(jq -r '.change_redeemed_sat // 0' <<<"$result") sat of change back into the client wallet"
echo "client     balance before $balance_before, after $balance_after"
jq -r '.warnings[]? | "warning    " + .' <<<"$result"

echo "== worker earnings"
"$LOOM" worker status --data-dir "$work/worker/data" --limit 3
for w in "$work/worker/data/wallets"/*/; do
    echo "wallet     $(basename "$w"): $("$LOOM" wallet balance --mint "$mint" --data-dir "$w")"
done
curl -fsS "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null | grep -E '^loom_[a-z_]*(earn|charged|jobs)[a-z_]* ' | head -5 | sed 's/^/metrics    /' || true

# --- shutdown ------------------------------------------------------------------------
echo "== shutdown"
kill -TERM "$worker_pid"
wait "$worker_pid" || fail "the worker did not exit cleanly on SIGTERM" "$work/worker.log"
echo "worker     stopped (SIGTERM)"
gone=
for _ in $(seq 60); do
    if ! "$LOOM" workers --relay "$relay" --data-dir "$work/client" --json 2>/dev/null |
        jq -e --arg w "$worker_npub" 'any(.[]; .npub == $w)' >/dev/null; then gone=1; break; fi
    sleep 1
done
[ -n "$gone" ] || fail "the worker is still listed after SIGTERM" "$work/worker.log"
echo "workers    $worker_npub is no longer listed (advertisement offline)"

echo "== audit"
echo "client:"; "$LOOM" wallet audit --mint "$mint" --data-dir "$work/client" || fail "client wallet audit failed"
for w in "$work/worker/data/wallets"/*/; do
    echo "worker:"; "$LOOM" wallet audit --mint "$mint" --data-dir "$w" || fail "worker wallet audit failed"
done
[ $((charged + change + fees)) -eq "$paid" ] ||
    fail "money does not add up: paid $paid ≠ charged $charged + change $change + fees $fees" "$work/worker.log"
echo "money      paid $paid = charged $charged + change $change + fees $fees  ✓"
echo "== demo done in $(( $(date +%s) - started )) s"

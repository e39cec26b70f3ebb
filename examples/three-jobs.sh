#!/usr/bin/env bash
# Submits three jobs to the cheapest live worker that runs MODEL and prints
# the sum of their bills. Uses nothing but `loom … --json` and jq.
#
#   examples/three-jobs.sh MODEL [RELAY]
#
# The client wallet (loom wallet …, --data-dir $DATA_DIR) pays; NOSTR_RELAYS,
# CASHU_MINT_URL and DATA_DIR come from the environment as for any loom command.
set -euo pipefail
model=${1:?usage: three-jobs.sh MODEL [RELAY]}
relay=${2:-${NOSTR_RELAYS%%,*}}
loom=${LOOM:-loom}

worker=$($loom workers --relay "$relay" --model "$model" --json |
    jq -r 'sort_by(.msat_per_second) | first | .npub // empty')
if [ -z "$worker" ]; then
    echo "no live worker runs $model on $relay" >&2
    exit 1
fi
echo "cheapest worker for $model: $worker" >&2

total=0
for prompt in "Name a colour." "Name a fruit." "Name a planet."; do
    result=$($loom job submit "$prompt" --model "$model" --worker "$worker" --relay "$relay" --seconds 10 --json)
    status=$(jq -r '.status' <<<"$result")
    charged=$(jq -r '.bill.charged_sat // 0' <<<"$result")
    echo "$(jq -r '.job_id[0:12]' <<<"$result")  $status  charged ${charged} sat" >&2
    [ "$status" = completed ] || { echo "job did not complete: $(jq -c '.error' <<<"$result")" >&2; exit 1; }
    total=$((total + charged))
done
jq -n --argjson total "$total" --arg worker "$worker" '{worker: $worker, jobs: 3, charged_sat: $total}'

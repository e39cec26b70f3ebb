#!/usr/bin/env bash
# The test relay: nostr-relay from PyPI (SQLite-backed), from the venv `make deps` fills.
#
#   scripts/relay.sh install                            venv at $LOOM_VENV (default <repo>/.venv) with nostr-relay
#   scripts/relay.sh serve PORT [DIR] [MAX_EVENT_SIZE]  relay on ws://127.0.0.1:PORT, database and config in DIR
#
# The Swift tests (Tests/LoomTestSupport/TestRelay.swift) start their own relays with `serve`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${LOOM_VENV:-$root/.venv}"
version="1.14"

case "${1:-}" in
install)
    if ! "$venv/bin/nostr-relay" --help >/dev/null 2>&1; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "nostr-relay==$version"
    fi
    echo "nostr-relay $version in $venv"
    ;;
serve)
    if [ ! -x "$venv/bin/nostr-relay" ]; then
        echo "nostr-relay is not installed in $venv; run: make deps" >&2
        exit 1
    fi
    port="${2:?usage: relay.sh serve PORT [DIR]}"
    dir="${3:-$(mktemp -d)}"
    max_event_size="${4:-65536}"
    mkdir -p "$dir"
    # uvicorn runs it as one process (gunicorn would fork a worker that a
    # kill of the parent leaves behind). max_event_size limits content length.
    cat >"$dir/config.yaml" <<YAML
storage:
  sqlalchemy.url: sqlite+aiosqlite:///$dir/relay.sqlite3
  validators:
    - nostr_relay.validators.is_not_too_large
    - nostr_relay.validators.is_signed
    - nostr_relay.validators.is_recent
gunicorn:
  bind: 127.0.0.1:$port
  loglevel: warning
max_event_size: $max_event_size
YAML
    cd "$dir"
    exec "$venv/bin/nostr-relay" -c "$dir/config.yaml" serve --use-uvicorn
    ;;
*)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

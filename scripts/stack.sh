# Sourced by scripts/demo.sh, scripts/bench_worker.sh and scripts/idle_rss.sh:
# a whole market's servers on loopback. The caller sets $LOOM (the loom binary).
#
#   stack_init LABEL               $work (a scratch folder); on exit every job is killed and
#                                  $work removed; `fail MESSAGE [LOG…]` prints LABEL: MESSAGE
#                                  and the logs' last lines, then exits 1
#   start_servers [INPUT_FEE_PPK]  relay, Nutshell mint (FakeWallet), `loom blossom serve`;
#                                  sets relay, mint, blossom (URLs)
#   start_backend [auto|llama|stub [STUB ARGS…]]
#                                  auto (default): Ollama if one answers on 127.0.0.1:11434,
#                                  else llama; llama: llama.cpp's server with SmolLM2-135M
#                                  (built by scripts/llama.sh install on first use); stub: the
#                                  Ollama-protocol stub. Sets backend_kind (ollama|openai|stub),
#                                  backend_url, model and backend (a description)

stack_init() {
    stack_label=$1
    export LOOM_VENV=${LOOM_VENV:-$PWD/.venv}
    work=$(mktemp -d)
    trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
}

fail() {
    echo "$stack_label: $1" >&2
    for log in "${@:2}"; do echo "--- last lines of $(basename "$log")" >&2; tail -n 30 "$log" >&2 || true; done
    exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; fail "nothing listens on port $1" "$2"; }

start_servers() {
    local fee=${1:-100} relay_port mint_port blossom_port
    relay_port=$(free_port); mint_port=$(free_port); blossom_port=$(free_port)
    relay="ws://127.0.0.1:$relay_port"; mint="http://127.0.0.1:$mint_port"; blossom="http://127.0.0.1:$blossom_port"
    scripts/relay.sh serve "$relay_port" "$work/relay" >"$work/relay.log" 2>&1 &
    scripts/mint.sh "$mint_port" "$work/mint" "$fee" >"$work/mint.log" 2>&1 &
    "$LOOM" blossom serve --port "$blossom_port" --data-dir "$work/blossom" >"$work/blossom.log" 2>&1 &
    wait_port "$relay_port" "$work/relay.log"; wait_port "$mint_port" "$work/mint.log"; wait_port "$blossom_port" "$work/blossom.log"
}

start_backend() {
    local models port choice=${1:-auto}
    if [ "$choice" = auto ] && models=$(curl -fsS --max-time 3 http://127.0.0.1:11434/api/tags 2>/dev/null) &&
       model=$(jq -r '.models[0].name // empty' <<<"$models") && [ -n "$model" ]; then
        backend_kind=ollama; backend_url=http://127.0.0.1:11434
        backend="Ollama at $backend_url"
    elif [ "$choice" != stub ]; then
        if ! scripts/llama.sh server-path >/dev/null 2>&1; then
            echo "building llama.cpp's server once (scripts/llama.sh install: about 8 minutes on an idle 2-core machine)"
            scripts/llama.sh install >"$work/llama-install.log" 2>&1 || fail "building llama.cpp failed" "$work/llama-install.log"
        fi
        port=$(free_port)
        scripts/llama.sh serve "$port" >"$work/llama.log" 2>&1 &
        for _ in $(seq 900); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
        curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 || fail "llama.cpp's server did not come up" "$work/llama.log"
        model=smollm2-135m; backend_kind=openai; backend_url="http://127.0.0.1:$port/v1"
        backend="llama.cpp server (SmolLM2-135M) at http://127.0.0.1:$port"
    else
        port=$(free_port)
        python3 scripts/ollama_stub.py --port "$port" "${@:2}" >"$work/stub.log" 2>&1 &
        wait_port "$port" "$work/stub.log"
        backend_url="http://127.0.0.1:$port"
        model=$(curl -fsS "$backend_url/api/tags" | jq -r '.models[0].name')
        backend_kind=stub; backend="the Ollama-protocol stub at $backend_url"
    fi
}

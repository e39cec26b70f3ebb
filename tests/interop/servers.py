"""Start the project's test servers from pytest, the same way the Swift tests do."""
import contextlib
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, log, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited at start:\n{open(log).read()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port}:\n{open(log).read()[-2000:]}")


@contextlib.contextmanager
def start_mint(directory, input_fee_ppk=100):
    port = free_port()
    log = os.path.join(directory, "mint.log")
    with open(log, "w") as out:
        proc = subprocess.Popen([os.path.join(ROOT, "scripts", "mint.sh"), str(port), str(directory), str(input_fee_ppk)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(port, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def start_process(args, directory, name, port, cwd=None, env=None):
    """Run a server process until the block ends; its output goes to DIRECTORY/NAME.log."""
    log = os.path.join(directory, f"{name}.log")
    with open(log, "w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
    try:
        wait_for(port, proc, log, timeout=120)
        yield proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def start_relay(directory):
    port = free_port()
    with start_process([os.path.join(ROOT, "scripts", "relay.sh"), "serve", str(port), os.path.join(directory, "relay")],
                       directory, "relay", port):
        yield f"ws://127.0.0.1:{port}"


@contextlib.contextmanager
def start_blossom(loom_bin, directory):
    port = free_port()
    with start_process([loom_bin, "blossom", "serve", "--port", str(port), "--data-dir", os.path.join(directory, "blossom")],
                       directory, "blossom", port):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def start_ollama_stub(directory):
    port = free_port()
    with start_process(["python3", os.path.join(ROOT, "scripts", "ollama_stub.py"), "--port", str(port)],
                       directory, "ollama_stub", port):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def start_worker(loom_bin, directory, settings):
    """`loom worker run` in DIRECTORY, configured by a .env (mode 600) written from SETTINGS.
    Yields (process, log path); it listens on METRICS_PORT, which is how we know it is up."""
    port = free_port()
    env_file = os.path.join(directory, ".env")
    with open(env_file, "w") as f:
        for key, value in {**settings, "METRICS_PORT": str(port)}.items():
            f.write(f"{key}={value}\n")
    os.chmod(env_file, 0o600)
    env = dict(os.environ)
    for key in ("NOSTR_PRIVATE_KEY", "NOSTR_PRIVATE_KEY_FILE", "DATA_DIR", "NOSTR_RELAYS", "CASHU_MINT_URL"):
        env.pop(key, None)
    with start_process([loom_bin, "worker", "run"], directory, "worker", port, cwd=directory, env=env) as running:
        yield running


LLAMA_MODEL_ID = "smollm2-135m"


@contextlib.contextmanager
def start_llama(server, model, directory):
    """llama.cpp's llama-server (SERVER, the binary `scripts/llama.sh server-path` names) with the GGUF MODEL, with the
    flags `scripts/llama.sh serve` uses and --metrics; yields its root URL (the OpenAI API is under /v1) once the
    model is loaded: it listens before that and answers /health with 503 meanwhile."""
    port = free_port()
    args = [server, "--host", "127.0.0.1", "--port", str(port), "-m", model, "--alias", LLAMA_MODEL_ID,
            "-c", "2048", "-t", "2", "-np", "1", "--no-webui", "--metrics"]
    with start_process(args, directory, "llama-server", port) as (proc, log):
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"llama-server did not load the model:\n{open(log).read()[-2000:]}")
            time.sleep(0.2)
        yield url


def llama_metrics(url):
    """llama-server's Prometheus counters (--metrics): tokens_predicted_total (every generated token) and
    requests_processing (requests being generated now)."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("llamacpp:"):
            name, _, value = line.partition(" ")
            values[name[len("llamacpp:"):]] = float(value)
    return {"predicted": int(values["tokens_predicted_total"]), "processing": int(values["requests_processing"])}

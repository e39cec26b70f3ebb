"""Start the project's test servers from pytest, the same way the Swift tests do."""
import contextlib
import os
import socket
import subprocess
import time

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

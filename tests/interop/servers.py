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

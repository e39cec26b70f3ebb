"""What the `loom gateway` tests share (test_gateway.py with Ollama stubs, test_gateway_llama.py with
llama-server): running `loom`, the stack's wallet and offers, starting a gateway, the `openai` client."""
import contextlib
import json
import os
import subprocess
import threading
import time

import openai

from servers import free_port, start_process


def wait_until(what, check, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} within {timeout} s")


def loom_runner(loom_bin):
    """`loom ARGS…` with the caller's environment minus any Nostr key; fails the test on a non-zero exit
    unless check=False."""
    def loom(*args, check=True):
        env = dict(os.environ)
        env.pop("NOSTR_PRIVATE_KEY", None)
        proc = subprocess.run([loom_bin, *args], capture_output=True, text=True, env=env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"loom {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc
    return loom


class Stack:
    """Everything a gateway test module shares; costs are summed from the X-Loom-Cost-Sat headers of every paid call."""

    def __init__(self, loom, loom_bin, tmp, relay, mint):
        self.loom, self.loom_bin, self.tmp, self.relay, self.mint = loom, loom_bin, tmp, relay, mint
        self.client_dir = os.path.join(tmp, "client")
        self.workers = {}
        self.costs = []
        self.lock = threading.Lock()

    def balance(self, data_dir=None):
        out = self.loom("wallet", "balance", "--json", "--mint", self.mint, "--data-dir", data_dir or self.client_dir).stdout
        return json.loads(out)["balance"]

    def listed(self):
        proc = self.loom("workers", "--relay", self.relay, "--data-dir", self.client_dir, "--json", check=False)
        return json.loads(proc.stdout or "[]") if proc.returncode == 0 else []

    def jobs(self, data_dir=None):
        return json.loads(self.loom("job", "list", "--json", "--data-dir", data_dir or self.client_dir).stdout)

    def record(self, raw, chunks=None):
        """The call's cost: its X-Loom-Cost-Sat header or, for a stream that began with live
        text (no cost known when the headers left), the `loom` field of its finish chunk."""
        cost = raw.headers.get("x-loom-cost-sat")
        if cost is None:
            loom = [c.model_extra["loom"] for c in chunks or [] if (c.model_extra or {}).get("loom")]
            assert len(loom) == 1, "a stream without cost headers carries its cost on the finish chunk"
            cost = loom[0]["cost_sat"]
        with self.lock:
            self.costs.append(int(cost))


def start_gateway(s, name, data_dir, extra):
    """`loom gateway` on a free loopback port for the stack S, until the block ends; yields its /v1 URL."""
    port = free_port()
    args = [s.loom_bin, "gateway", "--port", str(port), "--relay", s.relay, "--mint", s.mint, "--data-dir", data_dir,
            *extra]

    @contextlib.contextmanager
    def run():
        with start_process(args, s.tmp, f"gateway-{name}", port):
            yield f"http://127.0.0.1:{port}/v1"
    return run()


def sdk(url, **kw):
    return openai.OpenAI(base_url=url, api_key=kw.pop("api_key", "unused"), max_retries=0, timeout=180, **kw)

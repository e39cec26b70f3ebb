"""The operator's flow as README.md gives it, through the built binary: settings in a `.env` in a folder (with
`DATA_DIR` in it), `loom worker run` started there, then `status`, `pause`, `resume` and the worker's wallet
from the same folder. Each command must act on the worker that folder started, not on `$HOME/.loom`, and say
where it acted; the offer on the relay is what proves that the running worker took the pause."""
import json
import os
import subprocess

import pytest

from gateway_stack import wait_until
from servers import ROOT, start_blossom, start_mint, start_ollama_stub, start_relay, start_worker


@pytest.fixture(scope="module")
def operator(loom_bin, tmp_path_factory):
    os.environ.setdefault("LOOM_VENV", os.path.join(ROOT, ".venv"))
    tmp = str(tmp_path_factory.mktemp("operator"))
    folder, home, client = (os.path.join(tmp, name) for name in ("worker", "home", "client"))
    for d in (folder, home):
        os.makedirs(d)

    def loom(*args, cwd=folder, check=True):
        # What an operator's shell has: a HOME of its own, and none of the worker's settings.
        env = {k: v for k, v in os.environ.items() if k not in ("NOSTR_PRIVATE_KEY", "DATA_DIR", "CASHU_MINT_URL")}
        env["HOME"] = home
        proc = subprocess.run([loom_bin, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
        if check:
            assert proc.returncode == 0, f"loom {' '.join(args)} failed ({proc.returncode}): {proc.stderr}"
        return proc

    with start_relay(tmp) as relay, start_mint(tmp) as mint, start_blossom(loom_bin, tmp) as blossom, \
            start_ollama_stub(tmp) as stub:
        npub = json.loads(loom("keygen", "--json", "--output", os.path.join(folder, "worker.nsec")).stdout)["npub"]
        model = json.loads(subprocess.run(["curl", "-fsS", f"{stub}/api/tags"], capture_output=True, text=True,
                                          check=True).stdout)["models"][0]["name"]
        settings = {
            "NOSTR_PRIVATE_KEY_FILE": "worker.nsec", "NOSTR_RELAYS": relay, "CASHU_MINT_URL": mint,
            "BLOSSOM_SERVER_URL": blossom, "INFERENCE_BACKEND": "ollama", "OLLAMA_URL": stub, "MODELS": model,
            "PRICE_PER_SECOND": "1", "PRICE_UNIT": "sat", "WHITELIST_ENABLED": "false", "ADVERTISEMENT_TTL": "120",
            "SHUTDOWN_GRACE": "5",
            # Relative, as an operator writes it: the worker reads it from its folder, and so must the commands.
            "DATA_DIR": "data",
        }
        with start_worker(loom_bin, folder, settings):
            class Operator:
                pass
            o = Operator()
            o.loom, o.folder, o.home, o.client, o.relay, o.mint, o.npub, o.model = (
                loom, folder, home, client, relay, mint, npub, model)
            o.data = os.path.realpath(os.path.join(folder, "data"))

            def accepting():
                """The worker's offer on the relay, as any client sees it: accepting true or false (None: none yet)."""
                out = loom("nostr", "req", "--relay", relay, "--kind", "10100", "--author", npub, "--timeout", "5",
                           check=False).stdout
                events = [json.loads(line) for line in out.splitlines() if line.strip()]
                return json.loads(events[-1]["content"]).get("accepting") if events else None
            o.accepting = accepting
            wait_until("the worker's offer on the relay", lambda: accepting() is True)
            yield o


def test_pause_and_resume_reach_the_worker_started_in_this_folder(operator):
    o = operator
    paused = json.loads(o.loom("worker", "pause", "--json").stdout)
    assert paused["data_dir"] == o.data and paused["source"] == ".env" and paused["mismatch"] is None, paused
    assert paused["worker"] == "applied" and paused["serving"] is False, paused
    wait_until("the offer saying accepting: false", lambda: o.accepting() is False, timeout=30)

    status = json.loads(o.loom("worker", "status", "--json").stdout)
    assert status["data_dir"] == o.data
    assert status["serving"]["worker_running"] and status["serving"]["paused"] and not status["serving"]["serving"]

    text = o.loom("worker", "resume").stdout
    assert f"data directory: {o.data} (from .env)" in text and "the worker applied it: serving yes" in text, text
    wait_until("the offer saying accepting: true", lambda: o.accepting() is True, timeout=30)
    status = json.loads(o.loom("worker", "status", "--json").stdout)
    assert status["serving"]["serving"] and not status["serving"]["paused"]


def test_a_pause_elsewhere_says_it_reached_no_worker(operator):
    o = operator
    other = os.path.join(o.folder, "elsewhere")
    proc = o.loom("worker", "pause", "--data-dir", other, "--json")
    out = json.loads(proc.stdout)
    # The .env here names another directory: said on stderr and in the JSON, and no worker took it.
    assert out["source"] == "--data-dir" and out["worker"] == "not-running", out
    assert out["mismatch"] and "DATA_DIR=" + o.data in out["mismatch"], out
    assert "warning:" in proc.stderr and "not the one this command acts on" in proc.stderr, proc.stderr
    assert "no worker is running on" in out["message"], out
    assert o.accepting() is True
    resumed = json.loads(o.loom("worker", "resume", "--data-dir", other, "--json").stdout)
    assert resumed["done"] == "resumed" and resumed["worker"] == "not-running", resumed


def test_home_is_the_default_without_a_dot_env(operator):
    o = operator
    empty = os.path.join(o.home, "empty")
    os.makedirs(empty, exist_ok=True)
    proc = o.loom("worker", "status", cwd=empty, check=False)
    assert proc.returncode == 64 and os.path.join(o.home, ".loom", "jobs.sqlite") in proc.stderr, proc.stderr
    out = json.loads(o.loom("worker", "pause", "--json", cwd=empty).stdout)
    assert out["data_dir"] == os.path.join(o.home, ".loom") and out["source"] == "$HOME/.loom", out
    assert out["worker"] == "not-running"
    assert json.loads(o.loom("worker", "resume", "--json", cwd=empty).stdout)["done"] == "resumed"
    assert o.accepting() is True


def test_the_worker_wallet_holds_what_it_earned(operator):
    o = operator
    o.loom("wallet", "mint", "100", "--mint", o.mint, "--data-dir", o.client)
    job = json.loads(o.loom("job", "submit", "hello", "--worker", o.npub, "--model", o.model, "--seconds", "10",
                            "--relay", o.relay, "--mint", o.mint, "--data-dir", o.client, "--json",
                            "--timeout", "120").stdout)
    charged = job["bill"]["charged_sat"]
    assert charged > 0, job
    # --worker: the wallet of the worker configured here, its mint taken from the .env.
    balance = json.loads(o.loom("wallet", "balance", "--worker", "--json").stdout)
    # It earned the charge, less what the mint takes in fees for its swaps.
    assert balance["mint"].rstrip("/") == o.mint and 0 < balance["balance"] <= charged + 1, (balance, job["bill"])
    # Outside the worker's folder there is no such wallet, and the command says where it looked.
    proc = o.loom("wallet", "balance", "--worker", "--mint", o.mint, cwd=o.home, check=False)
    assert proc.returncode != 0 and "the worker has no wallet" in proc.stderr, proc.stderr

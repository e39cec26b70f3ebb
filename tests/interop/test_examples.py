"""The scripts in examples/ against the real stack: relay, Nutshell mint, `loom blossom serve`,
the Ollama stub and a `loom worker run` configured by its own .env."""
import json
import os
import subprocess
import time

import pytest

from servers import ROOT, start_blossom, start_mint, start_ollama_stub, start_relay, start_worker


def wait_until(what, check, log, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout} s\n{open(log).read()[-3000:]}")


def test_three_jobs_sums_the_bills(loom_bin, loom, tmp_path):
    os.environ.setdefault("LOOM_VENV", os.path.join(ROOT, ".venv"))
    worker_dir = tmp_path / "worker"
    client_dir = tmp_path / "client"
    worker_dir.mkdir()
    client_dir.mkdir()
    worker_npub = json.loads(loom("keygen", "--json", "--output", str(worker_dir / "worker.nsec")).stdout)["npub"]
    client_npub = json.loads(loom("keygen", "--json", "--output", str(client_dir / "client.key")).stdout)["npub"]
    (worker_dir / "whitelist").write_text(client_npub + "\n")

    with start_relay(str(tmp_path)) as relay, start_mint(str(tmp_path)) as mint, \
            start_blossom(loom_bin, str(tmp_path)) as blossom, start_ollama_stub(str(tmp_path)) as ollama:
        model = json.loads(subprocess.run(["curl", "-fsS", f"{ollama}/api/tags"], capture_output=True, text=True,
                                          check=True).stdout)["models"][0]["name"]
        settings = {
            "NOSTR_PRIVATE_KEY_FILE": "worker.nsec", "NOSTR_RELAYS": relay, "CASHU_MINT_URL": mint,
            "BLOSSOM_SERVER_URL": blossom, "INFERENCE_BACKEND": "ollama", "OLLAMA_URL": ollama, "MODELS": model,
            "PRICE_PER_SECOND": "1", "PRICE_UNIT": "sat", "WHITELIST_ENABLED": "true", "WHITELIST_FILE": "whitelist",
            "ADVERTISEMENT_TTL": "60", "DATA_DIR": str(worker_dir / "data"), "SHUTDOWN_GRACE": "5",
        }
        with start_worker(loom_bin, str(worker_dir), settings) as (_, worker_log):
            def listed():
                proc = loom("workers", "--relay", relay, "--data-dir", str(client_dir), "--json", check=False)
                return proc.returncode == 0 and any(w.get("npub") == worker_npub for w in json.loads(proc.stdout or "[]"))
            wait_until("the worker was not listed by `loom workers`", listed, worker_log)

            loom("wallet", "mint", "200", "--mint", mint, "--data-dir", str(client_dir))
            env = dict(os.environ, LOOM=loom_bin, DATA_DIR=str(client_dir), CASHU_MINT_URL=mint, NOSTR_RELAYS=relay)
            env.pop("NOSTR_PRIVATE_KEY", None)
            proc = subprocess.run([os.path.join(ROOT, "examples", "three-jobs.sh"), model], capture_output=True,
                                  text=True, env=env, timeout=900)
            assert proc.returncode == 0, proc.stdout + proc.stderr + open(worker_log).read()[-3000:]
            summary = json.loads(proc.stdout)
            assert summary["worker"] == worker_npub
            assert summary["jobs"] == 3

            status = json.loads(loom("worker", "status", "--data-dir", str(worker_dir / "data"), "--json").stdout)
            jobs = [j for j in status["recent"] if j["state"] == "completed"]
            assert len(jobs) == 3 and status["jobs_done"] == 3, status
            assert summary["charged_sat"] == sum(j["charged_sat"] for j in jobs) == status["earnings_sat"]
            assert summary["charged_sat"] > 0

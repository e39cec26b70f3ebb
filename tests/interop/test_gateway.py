"""`loom gateway` driven by the official `openai` Python package, in front of the real stack: a relay,
a Nutshell mint (input fees on), `loom blossom serve`, Ollama stubs and four `loom worker run`s.

Workers (price in sat/s): cheap (1) and second (2), fast, one slot each; slow (3), one slot and no
queue, behind a stub at 1 token/s so it can be kept busy; doomed (4), SIGKILLed to play a worker
that vanished with its offer still live."""
import contextlib
import json
import os
import signal
import subprocess
import threading

import openai
import pytest

from gateway_stack import Stack, loom_runner, sdk, start_gateway, wait_until
from servers import ROOT, free_port, start_blossom, start_mint, start_ollama_stub, start_process, start_relay, start_worker

SLOW_TOKENS_PER_SECOND = "1"


@pytest.fixture(scope="module")
def stack(loom_bin, tmp_path_factory):
    os.environ.setdefault("LOOM_VENV", os.path.join(ROOT, ".venv"))
    tmp = str(tmp_path_factory.mktemp("gateway"))
    loom = loom_runner(loom_bin)
    with start_relay(tmp) as relay, start_mint(tmp) as mint, start_blossom(loom_bin, tmp) as blossom:
        fast_dir, slow_dir = os.path.join(tmp, "stub-fast"), os.path.join(tmp, "stub-slow")
        os.makedirs(fast_dir)
        os.makedirs(slow_dir)
        slow_port = free_port()
        with start_ollama_stub(fast_dir) as fast_stub, \
                start_process(["python3", os.path.join(ROOT, "scripts", "ollama_stub.py"), "--port", str(slow_port),
                               "--tokens-per-second", SLOW_TOKENS_PER_SECOND], slow_dir, "ollama_stub", slow_port):
            slow_stub = f"http://127.0.0.1:{slow_port}"
            model = json.loads(subprocess.run(["curl", "-fsS", f"{fast_stub}/api/tags"], capture_output=True, text=True,
                                              check=True).stdout)["models"][0]["name"]
            s = Stack(loom, loom_bin, tmp, relay, mint)
            s.model = model
            specs = [("cheap", "1", fast_stub, "16"), ("second", "2", fast_stub, "16"), ("slow", "3", slow_stub, "0"),
                     ("doomed", "4", fast_stub, "16")]
            with contextlib.ExitStack() as stackctx:
                for name, price, stub, queue in specs:
                    d = os.path.join(tmp, name)
                    os.makedirs(d)
                    npub = json.loads(loom("keygen", "--json", "--output", os.path.join(d, "worker.nsec")).stdout)["npub"]
                    settings = {
                        "NOSTR_PRIVATE_KEY_FILE": "worker.nsec", "NOSTR_RELAYS": relay, "CASHU_MINT_URL": mint,
                        "BLOSSOM_SERVER_URL": blossom, "INFERENCE_BACKEND": "ollama", "OLLAMA_URL": stub, "MODELS": model,
                        "PRICE_PER_SECOND": price, "PRICE_UNIT": "sat", "WHITELIST_ENABLED": "false",
                        "MAX_CONCURRENT_JOBS": "1", "MAX_QUEUE": queue, "ADVERTISEMENT_TTL": "120",
                        "DATA_DIR": os.path.join(d, "data"), "SHUTDOWN_GRACE": "5",
                    }
                    proc, log = stackctx.enter_context(start_worker(loom_bin, d, settings))
                    s.workers[name] = {"npub": npub, "proc": proc, "log": log}
                wait_until("all four workers listed by `loom workers`",
                           lambda: {w["npub"] for w in s.listed()} >= {w["npub"] for w in s.workers.values()})
                loom("wallet", "mint", "400", "--mint", mint, "--data-dir", s.client_dir)
                s.start_balance = s.balance()
                s.gateway = start_gateway(s, "main", s.client_dir, ["--status-timeout", "3"])
                with s.gateway as url:
                    s.url = url
                    yield s
                    # Every call has settled (each answered before the test moved on): the wallet moved by Σ costs.
                    wait_until("the gateway's wallet settled", lambda: s.balance() == s.start_balance - sum(s.costs),
                               timeout=30)


def test_two_concurrent_calls_go_to_two_workers(stack):
    # First, while every worker is idle: each call reserves its worker before the other chooses.
    client = sdk(stack.url)
    barrier = threading.Barrier(2)
    seen, errors = [], []

    def call():
        try:
            barrier.wait()
            raw = client.chat.completions.with_raw_response.create(
                model=stack.model, messages=[{"role": "user", "content": "hi"}], max_tokens=8)
            stack.record(raw)
            seen.append(raw.headers["x-loom-worker"])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(seen) == sorted([stack.workers["cheap"]["npub"], stack.workers["second"]["npub"]])


def test_models_list(stack):
    models = sdk(stack.url).models.list()
    entry = next(m for m in models.data if m.id == stack.model)
    assert entry.object == "model"
    assert entry.workers == 4 and entry.msat_per_second == 1000


def test_chat_completion_with_usage_and_headers(stack):
    # Offers lag their load by a second or so: wait until every one says idle, so the cheapest is chosen.
    wait_until("every worker idle", lambda: all(w["running"] == 0 and w["queued"] == 0 for w in stack.listed()))
    raw = sdk(stack.url).chat.completions.with_raw_response.create(
        model=stack.model, messages=[{"role": "user", "content": "Why is the sky blue?"}])
    stack.record(raw)
    answer = raw.parse()
    assert answer.object == "chat.completion"
    assert "blue" in answer.choices[0].message.content
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage.completion_tokens > 0 and answer.usage.total_tokens > answer.usage.completion_tokens
    job = raw.headers["x-loom-job"]
    assert answer.id == "chatcmpl-" + job
    assert raw.headers["x-loom-worker"] == stack.workers["cheap"]["npub"]
    assert int(raw.headers["x-loom-cost-sat"]) > 0
    listed = json.loads(stack.loom("job", "list", "--json", "--data-dir", stack.client_dir).stdout)
    assert any(j["job_id"] == job and j["stage"] == "settled" and j["last_state"] == "completed" and j["via"] == "gateway"
               for j in listed)


def test_completion(stack):
    raw = sdk(stack.url).completions.with_raw_response.create(model=stack.model, prompt="Say something", max_tokens=3)
    stack.record(raw)
    answer = raw.parse()
    assert answer.object == "text_completion"
    assert answer.choices[0].text and answer.choices[0].finish_reason == "length"
    assert answer.usage.completion_tokens == 3


def test_streamed_chat_and_completion(stack):
    client = sdk(stack.url)
    raw = client.chat.completions.with_raw_response.create(
        model=stack.model, messages=[{"role": "user", "content": "hi"}], stream=True,
        stream_options={"include_usage": True})
    chunks = list(raw.parse())
    stack.record(raw, chunks)
    # The worker streamed: live chunks, each a delta of its own, before the finish chunk.
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "blue" in text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(c.id == "chatcmpl-" + raw.headers["x-loom-job"] for c in chunks)

    raw = client.completions.with_raw_response.create(model=stack.model, prompt="go", stream=True)
    pieces = list(raw.parse())
    stack.record(raw, pieces)
    assert "blue" in "".join(p.choices[0].text for p in pieces)
    assert pieces[-1].choices[0].finish_reason == "stop"


def test_batch_interrupted_and_resumed_pays_each_line_once(stack):
    # `loom job batch` from its own wallet: 20 lines, SIGINT once some are done, then the same command again.
    data = os.path.join(stack.tmp, "batch")
    stack.loom("wallet", "mint", "300", "--mint", stack.mint, "--data-dir", data)
    requests, results = os.path.join(stack.tmp, "requests.jsonl"), os.path.join(stack.tmp, "results.jsonl")
    with open(requests, "w") as f:
        for i in range(20):
            url, body = ("/v1/chat/completions", {"model": stack.model, "messages": [{"role": "user", "content": f"q{i}"}],
                                                  "max_tokens": 4}) if i % 2 == 0 else \
                ("/v1/completions", {"model": stack.model, "prompt": f"q{i}", "max_tokens": 4})
            f.write(json.dumps({"custom_id": f"line-{i}", "method": "POST", "url": url, "body": body}) + "\n")
    args = [stack.loom_bin, "job", "batch", requests, "-o", results, "--concurrency", "2", "--relay", stack.relay,
            "--mint", stack.mint, "--data-dir", data, "--status-timeout", "3"]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def answered():
        return len(open(results).read().splitlines()) if os.path.exists(results) else 0
    wait_until("a few batch lines answered", lambda: answered() >= 6 or first.poll() is not None, timeout=300)
    first.send_signal(signal.SIGINT)
    first.wait()
    assert answered() < 20, "the batch finished before it could be interrupted"
    second = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    out = [json.loads(line) for line in open(results).read().splitlines()]
    assert sorted(o["custom_id"] for o in out) == sorted(f"line-{i}" for i in range(20))
    assert all(o["error"] is None and o["response"]["status_code"] == 200 for o in out)
    assert out[0]["response"]["body"]["object"] in ("chat.completion", "text_completion")
    jobs = json.loads(stack.loom("job", "list", "--json", "--data-dir", data).stdout)
    # via: batch <results>#<custom_id>#<first 16 hex of the body's hash>, so an edited line is a new call.
    completed = [j["via"].rsplit("#", 1) for j in jobs if j["last_state"] == "completed"]
    assert sorted(v[0] for v in completed) == sorted(f"batch {os.path.realpath(results)}#line-{i}" for i in range(20))
    assert all(len(v[1]) == 16 and int(v[1], 16) >= 0 for v in completed), completed
    assert not any(j["money_in_flight"] for j in jobs)


def test_unknown_model_is_404(stack):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(stack.url).chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError) as caught:
        sdk(stack.url).embeddings.create(model=stack.model, input="hi")
    assert caught.value.code == "not_found"


def test_over_the_call_cap_and_empty_wallet_are_402(stack):
    with start_gateway(stack, "capped", stack.client_dir, ["--max-sat-per-call", "1"]) as url:
        with pytest.raises(openai.APIStatusError) as caught:
            sdk(url).chat.completions.create(model=stack.model, messages=[{"role": "user", "content": "hi"}])
        assert caught.value.status_code == 402 and caught.value.code == "over_call_cap"
    empty = os.path.join(stack.tmp, "empty")
    with start_gateway(stack, "empty", empty, []) as url:
        with pytest.raises(openai.APIStatusError) as caught:
            sdk(url).completions.create(model=stack.model, prompt="hi", stream=True)
        assert caught.value.status_code == 402 and caught.value.code == "insufficient_funds"
    assert stack.balance(empty) == 0


def test_api_key_and_loopback(stack):
    with start_gateway(stack, "keyed", stack.client_dir, ["--api-key", "s3cret"]) as url:
        with pytest.raises(openai.AuthenticationError) as caught:
            sdk(url, api_key="wrong").models.list()
        assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
        assert any(m.id == stack.model for m in sdk(url, api_key="s3cret").models.list().data)
    refused = stack.loom("gateway", "--host", "0.0.0.0", "--port", "0", "--relay", stack.relay, "--mint", stack.mint,
                         "--data-dir", stack.client_dir, check=False)
    assert refused.returncode != 0 and "--api-key" in refused.stderr


def test_failover_from_a_busy_worker(stack):
    slow, second = stack.workers["slow"]["npub"], stack.workers["second"]["npub"]
    client = sdk(stack.url)
    occupied = threading.Event()
    result = {}

    def hold_slow():
        raw = client.chat.completions.with_raw_response.create(
            model=stack.model, messages=[{"role": "user", "content": "take your time"}],
            extra_headers={"X-Loom-Worker": slow})
        stack.record(raw)
        result["worker"] = raw.headers["x-loom-worker"]

    holder = threading.Thread(target=hold_slow)
    holder.start()
    # The slow worker is busy once its offer says so (its one slot taken, no queue).
    wait_until("the slow worker running its job",
               lambda: any(w["npub"] == slow and w["running"] == 1 for w in stack.listed()), timeout=60)
    raw = client.chat.completions.with_raw_response.create(
        model=stack.model, messages=[{"role": "user", "content": "hi"}], extra_headers={"X-Loom-Worker": f"{slow},{second}"})
    stack.record(raw)
    assert raw.headers["x-loom-worker"] == second
    assert raw.headers["x-loom-attempts"] == "2"
    holder.join()
    assert result["worker"] == slow
    listed = json.loads(stack.loom("job", "list", "--json", "--data-dir", stack.client_dir).stdout)
    busy = [j for j in listed if j["last_state"] == "rejected"]
    assert busy and not any(j["money_in_flight"] for j in busy)


def test_failover_from_a_vanished_worker(stack):
    doomed, second = stack.workers["doomed"], stack.workers["second"]["npub"]
    doomed["proc"].send_signal(signal.SIGKILL)
    doomed["proc"].wait()
    # Its offer stays live until it expires: the gateway pays it, hears nothing for 3 s, reclaims, moves on.
    raw = sdk(stack.url).chat.completions.with_raw_response.create(
        model=stack.model, messages=[{"role": "user", "content": "hi"}],
        extra_headers={"X-Loom-Worker": f"{doomed['npub']},{second}"})
    stack.record(raw)
    assert raw.headers["x-loom-worker"] == second and raw.headers["x-loom-attempts"] == "2"
    listed = json.loads(stack.loom("job", "list", "--json", "--data-dir", stack.client_dir).stdout)
    # The doomed worker's job: no status ever (cause silent), its payment reclaimed.
    silent = [j for j in listed if j["cause"] == "silent" and j["last_state"] == "timeout" and not j["money_in_flight"]]
    assert silent, json.dumps(listed, indent=1)


def test_sdk_example_from_the_docs(stack):
    # docs/CLIENT.md, "Use it from the OpenAI SDK".
    from openai import OpenAI
    client = OpenAI(base_url=stack.url, api_key="unused")
    raw = client.chat.completions.with_raw_response.create(model=stack.model, messages=[{"role": "user", "content": "Hi"}])
    stack.record(raw)
    assert raw.parse().choices[0].message.content

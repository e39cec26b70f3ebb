#!/usr/bin/env python3
"""The measures of scripts/bench_gateway.sh (which starts the stack and passes the URLs): `loom gateway`
against llama-server asked directly, both through the official `openai` package.

    bench_gateway.py --direct http://127.0.0.1:P/v1 --gateway http://127.0.0.1:Q/v1 --model M --pid GATEWAY_PID
                     [--rounds 10] [--tokens 128] [--inflight 1 4 16] [--inflight-tokens 256] [--build debug]

1. Streams: the same streamed chat completion (temperature 0, seed 7, `tokens` max) asked directly and through
   the gateway, alternately (which goes first alternates by round), after one warm-up call each. Per call:
   - TTFT: from the request to the first delta with text;
   - stream tokens/s: completion tokens (usage, as llama.cpp counted them) over the time from the request to
     the last delta with text (what a reader of the stream sees, TTFT included);
   - tail tokens/s: the tokens after the first delta over the time from the first delta to the last. Direct,
     a delta is one token; through the gateway a delta is a worker chunk (many tokens), so the tokens after
     the first delta are estimated as completion tokens x (characters after the first delta / all characters);
   - call time: from the request to the end of the stream ([DONE]; through the gateway the result, the change
     redeemed and the cost are in before it).
   Medians over the rounds; the ratios and differences are medians of the per-round ones.
2. Where the time goes: the gateway logs each call's steps ("call answered": offers_ms, pay_ms, seal_ms,
   subscribe_ms, publish_ms, first_text_ms, total_ms) and the worker each job's admission ("job running":
   admission_ms from the job journaled to the backend called, swap_ms its mint swap); their medians over the
   stream rounds (the warm-up call left out) are printed with what is left for the relay crossings.
3. Memory flat: `--calls N` short calls one after another (8 tokens), VmRSS every N/10 calls after a warm-up.
4. Memory: the gateway's VmRSS/RssAnon from /proc/PID/status idle after start (before any call), idle after the
   stream rounds, and while K streamed calls (`inflight-tokens` max each) are in flight at once, for each K:
   sampled every 20 ms while all K are open; the peak and median of those samples, less the warm idle value,
   over K, is the memory per call in flight. The worker runs one job at a time (llama-server has one slot), so
   of K calls in flight one generates and K-1 wait in the worker's queue, paid, subscribed and journaled.
"""
import argparse
import re
import statistics
import sys
import threading
import time

import openai

PROMPT = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]


def status(pid):
    # /proc exists on Linux only; scripts/bench_gateway.sh refuses to start elsewhere, and so does this.
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_gateway.py: Linux only (reads /proc/PID/status)")
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


# Requests the server closed the connection on before any byte of a response
# (httpx: "Server disconnected without sending a response"), each sent again
# once on a new connection; counted and printed at the end, per client.
DROPPED = {}


def create(client, **kwargs):
    """`chat.completions.create`, sent once more when the connection was dropped before any response.
    In the runs looked at, such a request never reached the gateway's handler (no debug "call" line), so
    nothing was paid for it; a resend that did pay would show in the wallet, and the count says how often."""
    try:
        return client.chat.completions.create(**kwargs)
    except openai.APIConnectionError as error:
        if "without sending a response" not in repr(error.__cause__):
            raise
        DROPPED[str(client.base_url)] = DROPPED.get(str(client.base_url), 0) + 1
        return client.chat.completions.create(**kwargs)


def streamed(client, model, tokens):
    started = time.perf_counter()
    stream = create(
        client, model=model, messages=PROMPT, max_tokens=tokens, temperature=0, seed=7, stream=True,
        stream_options={"include_usage": True})
    first = last = None
    first_chars = chars = deltas = 0
    usage = None
    text = []
    for chunk in stream:
        now = time.perf_counter()
        if chunk.choices and chunk.choices[0].delta.content:
            piece = chunk.choices[0].delta.content
            if first is None:
                first, first_chars = now, len(piece)
            last = now
            chars += len(piece)
            deltas += 1
            text.append(piece)
        if chunk.usage:
            usage = chunk.usage
    ended = time.perf_counter()
    if first is None or usage is None:
        raise RuntimeError("a stream without text or usage")
    n = usage.completion_tokens
    tail_tokens = (n - 1) if deltas == n else n * (chars - first_chars) / max(chars, 1)
    return {
        "ttft_ms": (first - started) * 1000,
        "stream_tps": n / (last - started),
        "tail_tps": tail_tokens / (last - first) if last > first else float("nan"),
        "call_ms": (ended - started) * 1000,
        "tokens": n,
        "deltas": deltas,
        "text": "".join(text),
    }


def median(values):
    return statistics.median(values)


def streams(direct, gateway, model, rounds, tokens):
    print(f"== streams: {rounds} rounds of a streamed chat completion, {tokens} tokens at most, temperature 0")
    streamed(direct, model, tokens)
    streamed(gateway, model, tokens)
    runs = {"direct": [], "gateway": []}
    for i in range(rounds):
        order = [("direct", direct), ("gateway", gateway)]
        if i % 2:
            order.reverse()
        for name, client in order:
            runs[name].append(streamed(client, model, tokens))
        d, g = runs["direct"][-1], runs["gateway"][-1]
        print(f"round {i + 1:2}: TTFT {d['ttft_ms']:6.1f} / {g['ttft_ms']:6.1f} ms, stream {d['stream_tps']:6.1f} / "
              f"{g['stream_tps']:6.1f} tok/s, tail {d['tail_tps']:6.1f} / {g['tail_tps']:6.1f} tok/s, call "
              f"{d['call_ms']:6.0f} / {g['call_ms']:6.0f} ms, {d['tokens']} / {g['tokens']} tokens in "
              f"{d['deltas']} / {g['deltas']} deltas (direct / gateway)", flush=True)
    same_text = sum(d["text"] == g["text"] for d, g in zip(runs["direct"], runs["gateway"]))
    print(f"same text both ways in {same_text} of {rounds} rounds")

    def row(label, key, unit, fmt="{:.1f}"):
        dv, gv = median([r[key] for r in runs["direct"]]), median([r[key] for r in runs["gateway"]])
        print(f"| {label} | {fmt.format(dv)} {unit} | {fmt.format(gv)} {unit} |")

    print(f"\n| median of {rounds} | llama-server direct | through `loom gateway` |")
    print("|---|---:|---:|")
    row("time to first token", "ttft_ms", "ms")
    row("stream tokens/s (request → last text)", "stream_tps", "tok/s")
    row("tail tokens/s (first text → last text)", "tail_tps", "tok/s")
    row("call time (request → [DONE])", "call_ms", "ms", "{:.0f}")
    row("completion tokens", "tokens", "", "{:.0f}")
    row("deltas with text", "deltas", "", "{:.0f}")
    pairs = list(zip(runs["direct"], runs["gateway"]))
    added = median([g["ttft_ms"] - d["ttft_ms"] for d, g in pairs])
    stream_ratio = median([g["stream_tps"] / d["stream_tps"] for d, g in pairs])
    tail_ratio = median([g["tail_tps"] / d["tail_tps"] for d, g in pairs])
    call_added = median([g["call_ms"] - d["call_ms"] for d, g in pairs])
    print(f"\nTTFT added by the gateway (median of the rounds' differences): {added:.1f} ms "
          f"(target ≤ 40 ms: {'met' if added <= 40 else 'MISSED'})")
    print(f"stream tokens/s through / direct (median of the rounds' ratios): {stream_ratio:.3f} "
          f"(target ≥ 0.95: {'met' if stream_ratio >= 0.95 else 'MISSED'})")
    print(f"tail tokens/s through / direct: {tail_ratio:.3f}")
    print(f"call time added by the gateway: {call_added:.0f} ms")


FIELD = re.compile(r"(\w+)=(\S+)")


def logged(path, message):
    """The key=value fields of each line of `path` that ends with `message`, in order."""
    out = []
    with open(path) as f:
        for line in f:
            if line.rstrip().endswith(message):
                out.append(dict(FIELD.findall(line)))
    return out


def breakdown(gateway_log, worker_log, rounds):
    calls = logged(gateway_log, "call answered")[1:]  # the first is the warm-up call
    jobs = {j.get("job"): j for j in logged(worker_log, "job running")}
    calls = calls[-2 * rounds:]
    if not calls:
        print("\n(no 'call answered' lines in the gateway's log: no breakdown)")
        return

    def med(rows, key):
        values = [float(r[key]) for r in rows if key in r]
        return median(values) if values else float("nan")

    worker = [jobs[c["job"]] for c in calls if c.get("job") in jobs]
    steps = [("offers read (the live book)", calls, "offers_ms"), ("payment token made", calls, "pay_ms"),
             ("request sealed and journaled", calls, "seal_ms"), ("chunk subscription in place", calls, "subscribe_ms"),
             ("request published (relay OK)", calls, "publish_ms"),
             ("worker: journaled → backend called", worker, "admission_ms"), ("worker: of which its mint swap", worker,
                                                                            "swap_ms")]
    print(f"\n| where the time goes, median of {len(calls)} calls | ms |")
    print("|---|---:|")
    for label, rows, key in steps:
        print(f"| {label} | {med(rows, key):.2f} |")
    first = med(calls, "first_text_ms")
    before = sum(med(calls, k) for k in ("offers_ms", "pay_ms", "seal_ms", "subscribe_ms"))
    print(f"| first text at the gateway (from the request) | {first:.2f} |")
    print(f"| left for relays, intake and the backend's first token: first text − (offers + pay + seal + subscribe)"
          f" − worker admission | {first - before - med(worker, 'admission_ms'):.2f} |")

    # The end of a call: the worker settles (outputs to Blossom, the change made, the result published), the
    # result crosses the relay, and the gateway redeems the change beside the outputs' download.
    settled = {j.get("job"): j for j in logged(worker_log, "job settled")}
    ends = [settled[c["job"]] for c in calls if c.get("job") in settled]
    print(f"\n| after the last text, median of {len(calls)} calls | ms |")
    print("|---|---:|")
    for label, rows, key in [("worker: outputs uploaded (two blobs)", ends, "upload_ms"),
                             ("worker: bill and change made (its mint swap)", ends, "money_ms"),
                             ("worker: generation end → result published", ends, "settle_ms"),
                             ("gateway: change redeemed", calls, "redeem_ms"),
                             ("gateway: outputs downloaded (beside the redeem)", calls, "download_ms")]:
        print(f"| {label} | {med(rows, key):.2f} |")
    tail = [float(c["result_ms"]) - float(c["last_text_ms"]) for c in calls if "result_ms" in c and "last_text_ms" in c]
    done = [float(c["total_ms"]) - float(c["result_ms"]) for c in calls if "result_ms" in c]
    if tail:
        print(f"| gateway: last text → result in hand | {median(tail):.2f} |")
    if done:
        print(f"| gateway: result in hand → call answered | {median(done):.2f} |")


def flat(gateway, model, pid, calls):
    print(f"\n== gateway memory over {calls} calls (8 tokens each, one after another)")
    for _ in range(20):
        create(gateway, model=model, messages=PROMPT, max_tokens=8, temperature=0)
    step = max(calls // 10, 1)
    samples = [(0, status(pid)["VmRSS"])]
    for i in range(1, calls + 1):
        create(gateway, model=model, messages=PROMPT, max_tokens=8, temperature=0)
        if i % step == 0:
            samples.append((i, status(pid)["VmRSS"]))
    print("| calls after warm-up | VmRSS |")
    print("|---:|---:|")
    for n, rss in samples:
        print(f"| {n} | {rss / 1024:.1f} MB |")
    growth = (samples[-1][1] - samples[1][1]) / 1024 if len(samples) > 1 else 0
    print(f"growth from call {samples[1][0]} to call {samples[-1][0]}: {growth:+.1f} MB (target ± 2 MB: "
          f"{'met' if abs(growth) <= 2 else 'MISSED'})")


def memory(gateway, model, pid, idle, counts, tokens):
    print(f"\n== gateway memory (/proc/{pid}/status)")
    warm = status(pid)
    print(f"idle after start:  VmRSS {idle['VmRSS'] / 1024:.1f} MB, RssAnon {idle['RssAnon'] / 1024:.1f} MB, "
          f"threads {idle['Threads']}")
    print(f"idle after calls:  VmRSS {warm['VmRSS'] / 1024:.1f} MB, RssAnon {warm['RssAnon'] / 1024:.1f} MB, "
          f"threads {warm['Threads']}")
    print("\n| calls in flight | VmRSS peak (median) | RssAnon peak | per call (peak − idle after calls) / K |")
    print("|---:|---:|---:|---:|")
    for k in counts:
        lock = threading.Lock()
        state = {"open": 0, "errors": []}

        def call():
            try:
                with lock:
                    state["open"] += 1
                streamed(gateway, model, tokens)
            except Exception as e:  # noqa: BLE001 - reported below
                state["errors"].append(e)
            finally:
                with lock:
                    state["open"] -= 1

        threads = [threading.Thread(target=call) for _ in range(k)]
        for t in threads:
            t.start()
        samples = []
        while any(t.is_alive() for t in threads):
            with lock:
                all_open = state["open"] == k
            if all_open:
                samples.append(status(pid))
            time.sleep(0.02)
        for t in threads:
            t.join()
        if state["errors"]:
            raise RuntimeError(f"{len(state['errors'])} of {k} calls failed: {state['errors'][0]!r}")
        if not samples:
            print(f"| {k} | (never all open at once) | | |")
            continue
        rss = [s["VmRSS"] for s in samples]
        anon = [s["RssAnon"] for s in samples]
        per_call = (max(rss) - warm["VmRSS"]) / k
        per_call_anon = (max(anon) - warm["RssAnon"]) / k
        print(f"| {k} | {max(rss) / 1024:.1f} MB ({median(rss) / 1024:.1f}) | {max(anon) / 1024:.1f} MB | "
              f"{per_call:.0f} kB (anon {per_call_anon:.0f} kB) |", flush=True)
        time.sleep(1)
    time.sleep(3)
    after = status(pid)
    print(f"\nidle after the in-flight runs: VmRSS {after['VmRSS'] / 1024:.1f} MB, RssAnon {after['RssAnon'] / 1024:.1f} "
          f"MB, VmHWM {after['VmHWM'] / 1024:.1f} MB, threads {after['Threads']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--direct", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--inflight", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--inflight-tokens", type=int, default=256)
    parser.add_argument("--build", default="?")
    parser.add_argument("--gateway-log")
    parser.add_argument("--worker-log")
    parser.add_argument("--calls", type=int, default=0)
    args = parser.parse_args()
    idle = status(args.pid)
    direct = openai.OpenAI(base_url=args.direct, api_key="unused", max_retries=0, timeout=300)
    gateway = openai.OpenAI(base_url=args.gateway, api_key="unused", max_retries=0, timeout=300)
    deadline = time.time() + 60
    while not any(m.id == args.model for m in gateway.models.list().data):
        if time.time() > deadline:
            raise SystemExit(f"the gateway lists no {args.model}")
        time.sleep(1)
    print(f"loom {args.build} build; model {args.model}")
    streams(direct, gateway, args.model, args.rounds, args.tokens)
    if args.gateway_log and args.worker_log:
        breakdown(args.gateway_log, args.worker_log, args.rounds)
    if args.calls:
        flat(gateway, args.model, args.pid, args.calls)
    memory(gateway, args.model, args.pid, idle, args.inflight, args.inflight_tokens)
    for url, count in DROPPED.items():
        print(f"connections dropped before any response, sent again: {count} ({url})")


if __name__ == "__main__":
    main()

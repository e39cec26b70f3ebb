#!/usr/bin/env python3
"""Generation speed of a llama-server, asked directly (no loom code in the way).

    scripts/bench_llama.py http://127.0.0.1:8080 [--runs 5] [--tokens 128] [--stream]

Sends the same non-streamed chat completion `runs` times (after one warm-up)
with ignore_eos, so every run generates exactly `tokens` tokens, and prints
the server's own decode rate (timings.predicted_per_second) and the rate a
client sees over the whole request. --stream asks for server-sent events
(as loom's OpenAIBackend does) and reads the usage and timings from the last
chunk. Only the standard library, so it runs
with any python3.
"""
import argparse
import json
import time
import urllib.request


def complete(base, tokens, stream):
    body = {
        "model": "smollm2-135m",
        "messages": [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}],
        "max_tokens": tokens,
        "temperature": 0.7,
        "ignore_eos": True,
        "stream": stream,
    }
    if stream:
        body["stream_options"] = {"include_usage": True}
    request = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    with urllib.request.urlopen(request) as response:
        if not stream:
            reply = json.load(response)
        else:
            reply = {}
            for line in response:
                line = line.decode().strip()
                if line.startswith("data: ") and line != "data: [DONE]":
                    chunk = json.loads(line[6:])
                    # usage and timings come in the last chunk before [DONE]
                    reply.update({k: chunk[k] for k in ("usage", "timings") if k in chunk})
    return reply, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--stream", action="store_true")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    complete(base, args.tokens, args.stream)  # warm-up: first-request allocations are not the steady state
    decode_rates, generated, wall = [], 0, 0.0
    for _ in range(args.runs):
        reply, seconds = complete(base, args.tokens, args.stream)
        decode_rates.append(reply["timings"]["predicted_per_second"])
        generated += reply["usage"]["completion_tokens"]
        wall += seconds
    print(f"server decode     {sum(decode_rates) / len(decode_rates):8.1f} tokens/s "
          f"(min {min(decode_rates):.1f}, max {max(decode_rates):.1f}, {args.runs} runs of {args.tokens})")
    print(f"client end-to-end {generated / wall:8.1f} tokens/s")


if __name__ == "__main__":
    main()

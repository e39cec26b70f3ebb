#!/usr/bin/env python3
"""A stand-in for an Ollama server, for tests (Ollama cannot be installed here).

Speaks Ollama's native API the way docs/api.md describes it (NDJSON streams,
a final `done` object with nanosecond stats, `{"error": ...}` bodies and
mid-stream error lines) plus an OpenAI-compatible `/v1` surface with SSE, as
Ollama, llama.cpp's server and vLLM offer. Python standard library only.

    scripts/ollama_stub.py --port 11434 [--tokens-per-second 50] [--mode MODE]

Modes (flag, `POST /__control {"mode": ...}`, or a magic model name
`stub-<mode>`): normal, oom, error-midstream, hang, hang-after-headers, drop,
garbage. A model that is not in the list is answered 404 like Ollama does.

Test hooks: `GET /__stats` (requests, disconnects, last request bodies, last
final object), `POST /__control` (merge settings: mode, tokens_per_second,
reply, error_after, split_lines, include_usage, timings, models, loaded),
`POST /__reset` (stats).
"""

import argparse
import hashlib
import json
import re
import select
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = "Sunlight scatters off the air, and blue light scatters the most. \U0001F308 done."
DEFAULT_MODELS = [
    {"name": "llama3.2:latest", "size": 2019393189, "family": "llama", "parameter_size": "3.2B"},
    {"name": "qwen2.5:0.5b", "size": 397821319, "family": "qwen2", "parameter_size": "494.03M"},
]
MODES = {"normal", "oom", "error-midstream", "hang", "hang-after-headers", "drop", "garbage"}
OOM_MESSAGE = "model requires more system memory (5.6 GiB) than is available (1.9 GiB)"
MIDSTREAM_MESSAGE = "an error was encountered while running the model: unexpected EOF"


class ClientGone(Exception):
    """The client closed its end while we were streaming."""


class State:
    """Settings and counters, shared by the handler threads under one lock."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.settings = {
            "mode": args.mode,
            "tokens_per_second": args.tokens_per_second,
            "reply": args.reply,
            "error_after": args.error_after,
            "split_lines": args.split_lines,
            "include_usage": True,
            "timings": False,
            "models": DEFAULT_MODELS,
            "version": "0.12.6",
            # What `/api/ps` lists: None = the models run so far (Ollama loads a
            # model on its first request), or a list of names set by a test.
            "loaded": None,
        }
        self.ran = []
        self.reset()

    def reset(self):
        with self.lock:
            self.stats = {"requests": 0, "paths": {}, "disconnects": 0, "completed": 0,
                          "active_streams": 0, "bodies": [], "last_final": None}

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps({"settings": self.settings, **self.stats}))

    def loaded(self):
        with self.lock:
            names = self.settings["loaded"]
            return list(self.ran if names is None else names)

    def mark_loaded(self, name):
        with self.lock:
            if name not in self.ran:
                self.ran.append(name)

    def count(self, key, delta=1):
        with self.lock:
            self.stats[key] += delta

    def record(self, path, body):
        with self.lock:
            self.stats["requests"] += 1
            self.stats["paths"][path] = self.stats["paths"].get(path, 0) + 1
            if body is not None:
                self.stats["bodies"] = (self.stats["bodies"] + [body])[-20:]


def encode(obj):
    """Compact, with non-ASCII left as UTF-8 bytes, the way Go's encoder writes it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def now_rfc3339():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def split_tokens(text):
    """Words with their leading space, the way a BPE tokenizer tends to cut them."""
    return re.findall(r"\s*\S+", text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, as Go's server does
    server_version = "ollama-stub"

    # ----- plumbing

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)

    @property
    def state(self) -> State:
        return self.server.state

    def send_json(self, status, obj):
        data = encode(obj)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def write_chunk(self, data: bytes):
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as e:
            raise ClientGone() from e

    def write_piece(self, data: bytes, settings):
        """One line of the stream; with split_lines, cut it (mid-character if
        possible) into two chunks sent apart, so the client must join them."""
        if settings["split_lines"] and len(data) > 4:
            cut = len(data) // 2
            emoji = data.find("\U0001F308".encode())
            if emoji > 0:
                cut = emoji + 2
            self.write_chunk(data[:cut])
            self.wait(0.02)
            self.write_chunk(data[cut:])
        else:
            self.write_chunk(data)

    def end_stream(self):
        self.write_chunk(b"")

    def client_gone(self):
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def wait(self, seconds):
        """Sleep, but notice a client that hangs up meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            if self.client_gone():
                raise ClientGone()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            select.select([self.connection], [], [], min(left, 0.02))

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}"), None
        except ValueError as e:
            return None, str(e)

    # ----- routing

    def do_HEAD(self):
        self.state.record(self.path, None)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.state.record(self.path, None)
        settings = self.state.snapshot()["settings"]
        if self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/api/version":
            self.send_json(200, {"version": settings["version"]})
        elif self.path == "/api/tags":
            self.send_json(200, {"models": [self.tag(m) for m in settings["models"]]})
        elif self.path == "/api/ps":
            # Ollama's running-models list: the `/api/tags` entry plus when it unloads.
            known = {m["name"]: m for m in settings["models"]}
            self.send_json(200, {"models": [
                {**self.tag(known.get(name, {"name": name})), "expires_at": "2099-01-01T00:00:00Z",
                 "size_vram": known.get(name, {}).get("size", 0)}
                for name in self.state.loaded()]})
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": [
                {"id": m["name"], "object": "model", "created": 1730000000, "owned_by": "library"}
                for m in settings["models"]]})
        elif self.path == "/__stats":
            self.send_json(200, self.state.snapshot())
        else:
            self.send_plain_404()

    def do_POST(self):
        body, error = self.read_body()
        self.state.record(self.path, None if self.path.startswith("/__") else body)
        if self.path == "/__control":
            body = body if isinstance(body, dict) else {}
            with self.state.lock:
                unknown = sorted(set(body) - set(self.state.settings))
                if unknown:
                    self.send_json(400, {"error": "unknown settings: %s" % unknown})
                    return
                if body.get("mode", "normal") not in MODES:
                    self.send_json(400, {"error": "unknown mode; one of %s" % sorted(MODES)})
                    return
                self.state.settings.update(body)
            self.send_json(200, self.state.snapshot()["settings"])
        elif self.path == "/__reset":
            self.state.reset()
            self.send_json(200, {})
        elif self.path in ("/api/chat", "/api/generate", "/v1/chat/completions"):
            openai = self.path.startswith("/v1/")
            if error is not None or not isinstance(body, dict):
                self.send_error_body(openai, 400, "invalid request body: %s" % error)
                return
            try:
                self.inference(body, openai)
            except (ClientGone, BrokenPipeError, ConnectionResetError):
                self.state.count("disconnects")
                self.close_connection = True
        else:
            self.send_plain_404()

    def send_plain_404(self):
        # Go's router answers unknown paths in plain text, not JSON.
        data = b"404 page not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def tag(model):
        return {
            "name": model["name"], "model": model["name"],
            "modified_at": "2025-05-04T17:37:44.706015396-07:00",
            "size": model.get("size", 0),
            "digest": hashlib.sha256(model["name"].encode()).hexdigest(),
            "details": {"parent_model": "", "format": "gguf", "family": model.get("family", ""),
                        "families": [model.get("family", "")],
                        "parameter_size": model.get("parameter_size", ""),
                        "quantization_level": "Q4_K_M"},
        }

    def send_error_body(self, openai, status, message):
        if openai:
            self.send_json(status, {"error": {"message": message, "type": "api_error",
                                              "param": None, "code": None}})
        else:
            self.send_json(status, {"error": message})

    # ----- inference

    def resolve(self, name, settings):
        """Ollama's rule: a missing tag means `latest`."""
        if not isinstance(name, str) or not name:
            return None
        full = name if ":" in name else name + ":latest"
        for m in settings["models"]:
            if m["name"] in (name, full):
                return m["name"]
        return None

    def inference(self, body, openai):
        settings = self.state.snapshot()["settings"]
        name = body.get("model")
        mode = settings["mode"]
        if isinstance(name, str) and name.startswith("stub-") and name[5:] in MODES:
            mode = name[5:]
        elif not name:
            self.send_error_body(openai, 400, "model is required")
            return
        elif self.resolve(name, settings) is None:
            message = ('model "%s" not found, try pulling it first' % name) if openai \
                else "model '%s' not found" % name
            self.send_error_body(openai, 404, message)
            return
        if mode == "oom":
            self.send_error_body(openai, 500, OOM_MESSAGE)
            return
        if mode == "hang":
            # Ollama writes no header until the first token: a model that never
            # loads looks like silence.
            self.wait(300)
            return
        if not name.startswith("stub-"):
            self.state.mark_loaded(self.resolve(name, settings))

        options = body.get("options") or {}
        limit = options.get("num_predict") if not openai else body.get("max_tokens")
        tokens = split_tokens(settings["reply"])
        reason = "stop"
        if isinstance(limit, int) and 0 <= limit < len(tokens):
            tokens, reason = tokens[:limit], "length"
        prompt_count = self.prompt_tokens(body)
        stream = body.get("stream", not openai)
        if openai:
            self.openai_reply(body, name, tokens, reason, prompt_count, stream, mode, settings)
        else:
            self.ollama_reply(body, name, tokens, reason, prompt_count, stream, mode, settings)

    @staticmethod
    def prompt_tokens(body):
        texts = [m.get("content") or "" for m in body.get("messages") or []]
        texts.append(body.get("prompt") or "")
        # A chat template adds a few tokens around each message.
        return sum(len(split_tokens(t)) for t in texts) + 4 * len(body.get("messages") or []) + 2

    def pace(self, settings):
        tps = float(settings["tokens_per_second"])
        return 1.0 / tps if tps > 0 else 0.0

    def ollama_reply(self, body, name, tokens, reason, prompt_count, stream, mode, settings):
        chat = self.path == "/api/chat"
        empty = (not body.get("messages")) if chat else (not body.get("prompt"))

        def piece(text, done):
            obj = {"model": name, "created_at": now_rfc3339()}
            if chat:
                obj["message"] = {"role": "assistant", "content": text}
            else:
                obj["response"] = text
            obj["done"] = done
            return obj

        started = time.monotonic_ns()
        load_ns, prompt_ns = 12_000_000, 3_000_000 + 150_000 * prompt_count
        if empty:  # Ollama loads the model and reports done_reason "load"
            final = piece("", True)
            final["done_reason"] = "load"
            self.send_json(200, final)
            return
        if not stream:
            self.wait(self.pace(settings) * len(tokens))
            final = piece("".join(tokens), True)
            self.finish_stats(final, reason, prompt_count, len(tokens), load_ns, prompt_ns, started)
            self.send_json(200, final)
            self.state.count("completed")
            return

        self.state.count("active_streams")
        try:
            self.start_stream("application/x-ndjson")
            if mode == "hang-after-headers":
                self.wait(300)
                return
            for i, token in enumerate(tokens):
                if mode == "error-midstream" and i == settings["error_after"]:
                    self.write_piece(encode({"error": MIDSTREAM_MESSAGE}) + b"\n", settings)
                    self.end_stream()
                    return
                if mode == "drop" and i == settings["error_after"]:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "garbage" and i == settings["error_after"]:
                    self.write_piece(b"{\"model\": \"" + name.encode() + b"\", \"respo\n", settings)
                    self.end_stream()
                    return
                self.wait(self.pace(settings))
                self.write_piece(encode(piece(token, False)) + b"\n", settings)
            final = piece("", True)
            self.finish_stats(final, reason, prompt_count, len(tokens), load_ns, prompt_ns, started)
            self.write_piece(encode(final) + b"\n", settings)
            self.end_stream()
            self.state.count("completed")
        finally:
            self.state.count("active_streams", -1)

    def finish_stats(self, final, reason, prompt_count, count, load_ns, prompt_ns, started):
        eval_ns = max(time.monotonic_ns() - started, 1_000_000)
        final.update({
            "done_reason": reason,
            "total_duration": load_ns + prompt_ns + eval_ns,
            "load_duration": load_ns,
            "prompt_eval_count": prompt_count,
            "prompt_eval_duration": prompt_ns,
            "eval_count": count,
            "eval_duration": eval_ns,
        })
        with self.state.lock:
            self.state.stats["last_final"] = final

    def openai_reply(self, body, name, tokens, reason, prompt_count, stream, mode, settings):
        started = time.monotonic()
        ident = "chatcmpl-%d" % (int(time.time() * 1000) % 1000000)
        created = int(time.time())
        usage = {"prompt_tokens": prompt_count, "completion_tokens": len(tokens),
                 "total_tokens": prompt_count + len(tokens)}
        if not stream:
            self.wait(self.pace(settings) * len(tokens))
            self.send_json(200, {
                "id": ident, "object": "chat.completion", "created": created, "model": name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(tokens)},
                             "finish_reason": reason}],
                "usage": usage})
            self.state.count("completed")
            return

        def chunk(delta, finish):
            return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": name,
                    "system_fingerprint": "fp_stub",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        def event(obj):
            payload = obj.encode() if isinstance(obj, str) else encode(obj)
            self.write_piece(b"data: " + payload + b"\n\n", settings)

        wants_usage = bool((body.get("stream_options") or {}).get("include_usage")) and settings["include_usage"]
        self.state.count("active_streams")
        try:
            self.start_stream("text/event-stream")
            if mode == "hang-after-headers":
                self.wait(300)
                return
            for i, token in enumerate(tokens):
                if mode == "error-midstream" and i == settings["error_after"]:
                    event({"error": {"message": MIDSTREAM_MESSAGE, "type": "api_error"}})
                    self.end_stream()
                    return
                if mode == "drop" and i == settings["error_after"]:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "garbage" and i == settings["error_after"]:
                    event("{\"id\": \"broken")
                    self.end_stream()
                    return
                self.wait(self.pace(settings))
                delta = {"role": "assistant", "content": token} if i == 0 else {"content": token}
                event(chunk(delta, None))
            last = chunk({}, reason)
            if settings["timings"]:  # llama.cpp's server adds its counters to the last chunk
                elapsed_ms = (time.monotonic() - started) * 1000
                last["timings"] = {"prompt_n": prompt_count, "prompt_ms": 4.5, "predicted_n": len(tokens),
                                   "predicted_ms": elapsed_ms,
                                   "predicted_per_second": len(tokens) / elapsed_ms * 1000}
                with self.state.lock:
                    self.state.stats["last_final"] = last
            event(last)
            if wants_usage:
                final = {"id": ident, "object": "chat.completion.chunk", "created": created,
                         "model": name, "choices": [], "usage": usage}
                event(final)
                with self.state.lock:
                    self.state.stats["last_final"] = final
            event("[DONE]")
            self.end_stream()
            self.state.count("completed")
        finally:
            self.state.count("active_streams", -1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--mode", default="normal", choices=sorted(MODES))
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--reply", default=DEFAULT_REPLY, help="text the model 'generates'")
    parser.add_argument("--error-after", type=int, default=3, help="tokens before a mid-stream failure")
    parser.add_argument("--split-lines", action="store_true", help="send every line in two chunks")
    args = parser.parse_args()

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print("ollama stub listening on http://%s:%d" % (args.host, args.port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

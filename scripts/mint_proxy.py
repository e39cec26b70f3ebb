#!/usr/bin/env python3
"""A fault-injecting reverse proxy in front of a Cashu mint, for chaos tests.

    scripts/mint_proxy.py --port P --control-port C --upstream http://127.0.0.1:M
                          --seed S --log FILE [--enabled] [rates…]

Each request the proxy sees while faults are on gets one decision, drawn from
a random generator seeded by (seed, class, n): the n-th POST always gets the
same decision for a seed, however the GETs around it interleave. Decisions:

  pass      forward, relay the answer
  drop      forward, then close the connection unanswered (the mint acted;
            the client cannot know)
  error     answer 500/502/503 without forwarding (the mint never saw it);
            half of them open a burst: every POST to the same path for the
            next 1 to --error-burst seconds gets a 5xx too (one endpoint of
            the mint failing, e.g. swap on a locked database, while restore
            and checkstate still answer: other POSTs pass meanwhile)
  delay     forward, hold the answer for --delay-seconds (past the client's
            timeout), then send it if the client is still there
  stall     hold the request for --delay-seconds, then forward it: the
            client gave up, and the mint acts later (or refuses, if the
            proofs were spent meanwhile)
  garbage   forward, then answer 200 with junk, a truncated body, or a
            `signatures`/`states` list one short
  outage    close the connection unforwarded and refuse all connections for
            --outage-seconds

POSTs (swap, checkstate, restore, mint, melt) get the rates as given; GETs
(keys, keysets, info) the rates times --get-factor. Every answer carries
`Connection: close`, so a pooled connection cannot outlive an outage.

The control port (never faulted) takes `POST /faults` {"enabled": bool,
"force": mode|null, "rates": {...}, "delay_seconds": n}, `POST /outage`
{"seconds": n} and `GET /stats`. Every decision is one JSON line in --log,
with a sequence number, the path, sha256(secret)[:16] of each input, the
first 16 characters of each output's B_ and of each checkstate Y, so a
failing run can be traced to the proofs and wallet operations it touched.

Python standard library only.
"""

import argparse
import hashlib
import http.client
import json
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MODES = ("drop", "error", "delay", "stall", "garbage", "outage")
# Decisions that are not modes of their own: "pass", and "burst" (an error
# inside an error burst).
DEFAULT_RATES = {"drop": 0.06, "error": 0.06, "delay": 0.03, "stall": 0.03, "garbage": 0.06, "outage": 0.02}


class Plan:
    """Fault settings and the decision log, shared by all handler threads."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.seed = args.seed
        self.enabled = args.enabled
        self.force = None
        self.rates = {m: getattr(args, m) for m in MODES}
        self.get_factor = args.get_factor
        self.delay_seconds = args.delay_seconds
        self.outage_seconds = args.outage_seconds
        self.error_burst = args.error_burst
        self.burst_until = {}  # path -> time
        self.seq = 0
        self.counters = {"post": 0, "get": 0}
        self.counts = {}
        self.inflight = {}  # seq -> (path, decision) of requests being held
        self.log_file = open(args.log, "a", buffering=1)

    def decide(self, method, path):
        """The next sequence number and this request's fault (pass when off)."""
        cls = "post" if method == "POST" else "get"
        with self.lock:
            self.seq += 1
            if not self.enabled:
                return self.seq, cls, None, "pass", random.Random(f"{self.seed}/off/{self.seq}")
            self.counters[cls] += 1
            n = self.counters[cls]
            # One generator per (seed, class, n): independent of thread timing.
            rng = random.Random(f"{self.seed}/{cls}/{n}")
            if self.force:
                return self.seq, cls, n, self.force, rng
            u = rng.random()
            now = time.time()
            if cls == "post" and now < self.burst_until.get(path, 0.0):
                return self.seq, cls, n, "burst", rng
            if cls == "post" and any(now < t for t in self.burst_until.values()):
                # Only the bursting endpoint fails; the rest of the mint is healthy.
                return self.seq, cls, n, "pass", rng
            scale = 1.0 if cls == "post" else self.get_factor
            edge = 0.0
            for mode in MODES:
                edge += self.rates[mode] * scale
                if u < edge:
                    if mode == "error" and cls == "post" and self.error_burst > 0 and rng.random() < 0.5:
                        self.burst_until[path] = time.time() + 1 + rng.random() * max(0.0, self.error_burst - 1)
                    return self.seq, cls, n, mode, rng
            return self.seq, cls, n, "pass", rng

    def hold(self, seq, path, decision):
        """Sleeps --delay-seconds, listed in the stats' `inflight` meanwhile."""
        with self.lock:
            self.inflight[seq] = {"path": path, "decision": decision}
        try:
            time.sleep(self.delay_seconds)
        finally:
            with self.lock:
                self.inflight.pop(seq, None)

    def log(self, entry):
        entry["time"] = round(time.time(), 3)
        with self.lock:
            key = entry.get("decision") or entry.get("event")
            self.counts[key] = self.counts.get(key, 0) + 1
            self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")

    def stats(self):
        with self.lock:
            return {"enabled": self.enabled, "force": self.force, "seq": self.seq, "counters": dict(self.counters),
                    "counts": dict(self.counts), "inflight": list(self.inflight.values()), "rates": dict(self.rates),
                    "delay_seconds": self.delay_seconds}


class Listener:
    """The proxy's own accept loop, so an outage can really close the port
    (connections refused) and open it again on the same number."""

    def __init__(self, port, handler, plan):
        self.port = port
        self.handler = handler
        self.plan = plan
        self.down_until = 0.0
        self.closed = threading.Event()
        self.lock = threading.Lock()

    def go_down(self, seconds):
        """Returns once the port is closed, so the caller's next move (closing
        the faulted connection, answering the test) already meets a refusal."""
        with self.lock:
            if time.time() >= self.down_until:
                self.closed.clear()  # already down: the port is closed, nothing to wait for
            self.down_until = max(self.down_until, time.time() + seconds)
        self.closed.wait(2)

    def is_down(self):
        with self.lock:
            return time.time() < self.down_until

    def bind(self):
        while True:
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", self.port))
                s.listen(64)
                s.settimeout(0.1)
                return s
            except OSError:
                s.close()
                time.sleep(0.05)

    def serve_forever(self):
        sock = self.bind()
        while True:
            if self.is_down():
                sock.close()
                self.closed.set()
                self.plan.log({"event": "outage-start", "until": round(self.down_until, 3)})
                while self.is_down():
                    time.sleep(0.05)
                sock = self.bind()
                self.plan.log({"event": "outage-over"})
            try:
                conn, address = sock.accept()
            except socket.timeout:
                continue
            conn.settimeout(None)
            threading.Thread(target=self.serve_connection, args=(conn, address), daemon=True).start()

    def serve_connection(self, conn, address):
        try:
            self.handler(conn, address, self)
        except Exception:  # a client that vanished mid-answer is part of the game
            pass
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


def fingerprints(body, key):
    """sha256(secret)[:16] of each proof in body[key]; never the secret itself."""
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    return [hashlib.sha256(str(p.get("secret", "")).encode()).hexdigest()[:16] for p in items if isinstance(p, dict)]


def garble(rng, status, body):
    """A 200 the client cannot use: junk, a truncated body, or a list one short."""
    kind = rng.choice(["junk", "truncated", "short-list"])
    if kind == "short-list":
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        for key in ("signatures", "states", "outputs"):
            if isinstance(doc, dict) and isinstance(doc.get(key), list) and doc[key]:
                doc[key] = doc[key][:-1]
                return "short-" + key, json.dumps(doc).encode()
        kind = "truncated"
    if kind == "truncated" and len(body) > 2:
        return "truncated", body[: len(body) // 2]
    return "junk", b"<html><body>502 upstream hiccup</body></html>"


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mint-proxy"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.proxy()

    def do_POST(self):
        self.proxy()

    def do_DELETE(self):
        self.proxy()

    def proxy(self):
        self.close_connection = True
        plan = self.server.plan
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seq, cls, n, decision, rng = plan.decide(self.command, self.path)
        entry = {"seq": seq, "class": cls, "n": n, "method": self.command, "path": self.path, "decision": decision}
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            doc = None
        for key in ("inputs",):
            fps = fingerprints(doc, key)
            if fps is not None:
                entry[key] = fps
        if isinstance(doc, dict) and isinstance(doc.get("Ys"), list):
            entry["ys"] = [str(y)[:16] for y in doc["Ys"]]
        if isinstance(doc, dict) and isinstance(doc.get("outputs"), list):
            # Blinded messages are public and unique to one wallet operation:
            # they tie a swap or a restore to the operation in the worker's DB.
            entry["outputs"] = [str(o.get("B_", ""))[:16] for o in doc["outputs"] if isinstance(o, dict)]

        if decision == "outage":
            plan.log(entry)
            self.server.go_down(plan.outage_seconds)
            return  # closed unforwarded; the listener refuses from now on
        if decision == "stall":
            entry["stall"] = plan.delay_seconds
            plan.log(entry)
            plan.hold(seq, self.path, decision)
            late = {"event": "stall-forwarded", "seq": seq, "path": self.path}
            try:
                status, ctype, answer = self.forward(body)
            except OSError as e:
                late["upstream"] = "unreachable: %s" % e
                return plan.log(late)
            late["upstream"] = status
            plan.log(late)
            return self.answer(status, answer, ctype)
        if decision in ("error", "burst"):
            status = rng.choice([500, 502, 503])
            entry["status"] = status
            plan.log(entry)
            text = {500: b'{"detail":"Internal Server Error"}', 502: b"<html>Bad Gateway</html>",
                    503: b"Service Unavailable"}[status]
            return self.answer(status, text, "application/json" if status == 500 else "text/plain")

        try:
            status, ctype, answer = self.forward(body)
        except OSError as e:
            # The mint itself is unreachable: say so the way a gateway would.
            entry["upstream"] = "unreachable: %s" % e
            plan.log(entry)
            return self.answer(502, b"<html>Bad Gateway</html>", "text/plain")
        entry["upstream"] = status

        if decision == "drop":
            plan.log(entry)
            return  # the mint acted; the client sees the connection close
        if decision == "garbage" and 200 <= status < 300:
            entry["garbage"], answer = garble(rng, status, answer)
            plan.log(entry)
            return self.answer(200, answer, "application/json")
        if decision == "delay":
            entry["delay"] = plan.delay_seconds
            plan.log(entry)
            plan.hold(seq, self.path, decision)
            return self.answer(status, answer, ctype)
        if decision == "garbage":
            entry["note"] = "upstream refused; relayed as is"
        plan.log(entry)
        return self.answer(status, answer, ctype)

    def forward(self, body):
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=120)
        try:
            headers = {"Content-Type": self.headers.get("Content-Type") or "application/json"}
            conn.request(self.command, self.path, body=body if body else None, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type") or "application/json", response.read()
        finally:
            conn.close()

    def answer(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class ControlHandler(BaseHTTPRequestHandler):
    """The test's switchboard; never faulted, never down."""

    def log_message(self, fmt, *args):
        pass

    def reply(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/stats":
            return self.reply(self.server.plan.stats())
        self.reply({"error": "unknown path"}, 404)

    def do_POST(self):
        plan, listener = self.server.plan, self.server.listener
        length = int(self.headers.get("Content-Length") or 0)
        try:
            doc = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply({"error": "not JSON"}, 400)
        if self.path == "/faults":
            with plan.lock:
                if "enabled" in doc:
                    plan.enabled = bool(doc["enabled"])
                if "force" in doc:
                    plan.force = doc["force"] if doc["force"] in MODES + ("pass",) else None
                for mode, rate in (doc.get("rates") or {}).items():
                    if mode in MODES:
                        plan.rates[mode] = float(rate)
                if "delay_seconds" in doc:
                    plan.delay_seconds = float(doc["delay_seconds"])
                if "outage_seconds" in doc:
                    plan.outage_seconds = float(doc["outage_seconds"])
            plan.log({"event": "control", "set": doc})
            return self.reply(plan.stats())
        if self.path == "/outage":
            seconds = float(doc.get("seconds", plan.outage_seconds))
            plan.log({"event": "control", "outage": seconds})
            listener.go_down(seconds)
            return self.reply(plan.stats())
        self.reply({"error": "unknown path"}, 404)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the mint, e.g. http://127.0.0.1:3338")
    parser.add_argument("--seed", default="0")
    parser.add_argument("--log", required=True)
    parser.add_argument("--enabled", action="store_true", help="faults on from the start")
    for mode in MODES:
        parser.add_argument("--" + mode, type=float, default=DEFAULT_RATES[mode], help="POST rate of " + mode)
    parser.add_argument("--get-factor", type=float, default=0.25, help="GET rates = POST rates x this")
    parser.add_argument("--delay-seconds", type=float, default=35.0)
    parser.add_argument("--outage-seconds", type=float, default=3.0)
    parser.add_argument("--error-burst", type=float, default=4.0, help="longest 503 burst, seconds (0: none)")
    args = parser.parse_args()

    plan = Plan(args)
    listener = Listener(args.port, ProxyHandler, plan)
    listener.plan = plan
    listener.upstream = urlsplit(args.upstream)
    control = ThreadingHTTPServer(("127.0.0.1", args.control_port), ControlHandler)
    control.daemon_threads = True
    control.plan, control.listener = plan, listener
    threading.Thread(target=control.serve_forever, daemon=True).start()
    plan.log({"event": "start", "seed": args.seed, "rates": plan.rates, "enabled": plan.enabled,
              "delay_seconds": plan.delay_seconds, "outage_seconds": plan.outage_seconds})
    print("mint proxy on %d (control %d) -> %s" % (args.port, args.control_port, args.upstream), flush=True)
    try:
        listener.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()

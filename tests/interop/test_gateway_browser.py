"""A hostile web page against `loom gateway`, in a real browser: the system Chromium (Debian's `chromium`)
driven by Playwright for Python, as test_dashboard.py does. The page is served from another loopback
origin (a tiny http.server on its own port), the way a page the user visits would be, and tries what any
page can: a text/plain "simple" POST in no-cors mode (no preflight), a JSON POST with CORS, a form POST.
Each is refused by the gateway, and the wallet and the journal are untouched. Then, with `--allow-origin`
naming that page, its JSON calls reach the engine and the browser can read the answers.

Only a relay and a mint run: no worker is needed, since what matters is whether a call gets past the guard."""
import contextlib
import http.server
import json
import os
import threading

import pytest
from playwright.sync_api import sync_playwright

from browser import CHROMIUM, PACKAGE
from gateway_stack import Stack, loom_runner, start_gateway
from servers import ROOT, start_mint, start_relay

CALL = {"model": "some-model", "messages": [{"role": "user", "content": "spend it"}]}


@contextlib.contextmanager
def hostile_site():
    """An empty page on 127.0.0.1 at a port of its own: a different origin from the gateway's."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>a page the user visits</title><iframe name=sink></iframe>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def stack(loom_bin, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh ({PACKAGE})")
    os.environ.setdefault("LOOM_VENV", os.path.join(ROOT, ".venv"))
    tmp = str(tmp_path_factory.mktemp("gateway-browser"))
    loom = loom_runner(loom_bin)
    with start_relay(tmp) as relay, start_mint(tmp) as mint, hostile_site() as site:
        s = Stack(loom, loom_bin, tmp, relay, mint)
        s.site = site
        loom("wallet", "mint", "100", "--mint", mint, "--data-dir", s.client_dir)
        s.start_balance = s.balance()
        with sync_playwright() as p:
            s.browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                yield s
            finally:
                s.browser.close()


def gateway_log(stack, name):
    with open(os.path.join(stack.tmp, f"gateway-{name}.log")) as f:
        return f.read()


def test_a_foreign_page_cannot_spend_the_wallet(stack):
    with start_gateway(stack, "closed", stack.client_dir, []) as url:
        page = stack.browser.new_page()
        page.goto(stack.site)
        seen = []
        page.on("response", lambda r: seen.append((r.request.method, r.status)) if r.url.startswith(url) else None)

        # (a) A "simple" request: text/plain in no-cors mode needs no preflight; the answer is opaque to the page.
        with page.expect_response(lambda r: r.url.startswith(url)) as simple:
            page.evaluate("""([url, call]) => fetch(url + "/chat/completions", {method: "POST", mode: "no-cors",
                headers: {"Content-Type": "text/plain"}, body: JSON.stringify(call)}).then(r => r.type)""",
                          [url, CALL])
        assert simple.value.status == 403

        # (b) JSON with CORS: the browser asks first (OPTIONS), is refused, and never sends the POST.
        outcome = page.evaluate("""([url, call]) => fetch(url + "/chat/completions", {method: "POST",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify(call)})
            .then(r => "read " + r.status, e => "blocked: " + e.name)""", [url, CALL])
        assert outcome == "blocked: TypeError"

        # (c) A form, the oldest trick: a text/plain body shaped like JSON, posted into an iframe.
        with page.expect_response(lambda r: r.url.startswith(url)) as form:
            page.evaluate("""([url, call]) => {
                const form = Object.assign(document.createElement("form"),
                    {method: "POST", action: url + "/chat/completions", enctype: "text/plain", target: "sink"});
                const text = JSON.stringify(call);
                form.appendChild(Object.assign(document.createElement("input"),
                    {name: text.slice(0, -1) + ',"pad":"', value: '"}'}));
                document.body.appendChild(form);
                form.submit();
            }""", [url, CALL])
        assert form.value.status == 403
        page.close()

        # Chromium makes the preflight itself and does not always show it to the page's
        # response events, so (b) is checked by its outcome above and the gateway's log below.
        assert not any(method == "POST" and status not in (403, 415) for method, status in seen), seen
        # Nothing paid, nothing journaled; each refusal in the gateway's log.
        assert stack.jobs() == []
        assert stack.balance() == stack.start_balance
        log = gateway_log(stack, "closed")
        assert log.count("refused") >= 3, log
        assert "method=OPTIONS" in log, log


def test_an_allowed_page_reads_the_answers(stack):
    with start_gateway(stack, "open", stack.client_dir, ["--allow-origin", stack.site]) as url:
        page = stack.browser.new_page()
        page.goto(stack.site)
        # A JSON call (preflighted): through the guard to the engine, which finds no worker for the model.
        answer = page.evaluate("""async ([url, call]) => {
            const r = await fetch(url + "/chat/completions", {method: "POST",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify(call)});
            return {status: r.status, body: await r.json()};
        }""", [url, CALL])
        assert answer["status"] in (404, 503), answer
        assert answer["body"]["error"]["code"] in ("model_not_found", "workers_busy"), answer
        models = page.evaluate("""async (url) => {
            const r = await fetch(url + "/models");
            return {status: r.status, body: await r.json()};
        }""", url)
        assert models == {"status": 200, "body": {"object": "list", "data": []}}, models
        # The guard still refuses what is not JSON, and this time the page may read why.
        text = page.evaluate("""([url, call]) => fetch(url + "/chat/completions", {method: "POST",
                headers: {"Content-Type": "text/plain"}, body: JSON.stringify(call)})
            .then(async r => ({status: r.status, body: await r.json()}))""", [url, CALL])
        assert text["status"] == 415 and text["body"]["error"]["code"] == "unsupported_media_type", text
        page.close()
        assert stack.jobs() == []
        assert stack.balance() == stack.start_balance
        assert "refused" in gateway_log(stack, "open")

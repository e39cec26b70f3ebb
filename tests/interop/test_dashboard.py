"""The operator's dashboard (`http://127.0.0.1:$METRICS_PORT/`) in a real browser: the system Chromium
(Debian's `chromium`) driven by Playwright for Python, in front of the real stack: a relay, a Nutshell
mint, `loom blossom serve`, the Ollama stub (slowed down so a job is seen running) and `loom worker run`.

The page is watched the way an operator watches it: a job appears, runs and completes with the model and
the sats its bill says, and the earnings chart grows by that amount. Then the same page on a phone."""
import json
import os
import subprocess
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from browser import CHROMIUM, PACKAGE
from servers import ROOT, free_port, start_blossom, start_mint, start_process, start_relay, start_worker

# Slow enough that a job spends seconds in `running`, where the page must show it.
TOKENS_PER_SECOND = "4"
# Generous, never a measurement: how long the page may take to show what already happened.
PAGE_WAIT_MS = 60_000


def wait_until(what, check, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} within {timeout} s")


@pytest.fixture(scope="module")
def stack(loom_bin, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh ({PACKAGE})")
    os.environ.setdefault("LOOM_VENV", os.path.join(ROOT, ".venv"))
    tmp = str(tmp_path_factory.mktemp("dashboard"))

    def loom(*args):
        env = dict(os.environ)
        env.pop("NOSTR_PRIVATE_KEY", None)
        proc = subprocess.run([loom_bin, *args], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, f"loom {' '.join(args)} failed ({proc.returncode}): {proc.stderr}"
        return proc.stdout

    with start_relay(tmp) as relay, start_mint(tmp) as mint, start_blossom(loom_bin, tmp) as blossom:
        stub_dir, worker_dir = os.path.join(tmp, "stub"), os.path.join(tmp, "worker")
        os.makedirs(stub_dir)
        os.makedirs(worker_dir)
        stub_port = free_port()
        stub_args = ["python3", os.path.join(ROOT, "scripts", "ollama_stub.py"), "--port", str(stub_port),
                     "--tokens-per-second", TOKENS_PER_SECOND]
        with start_process(stub_args, stub_dir, "ollama_stub", stub_port):
            stub = f"http://127.0.0.1:{stub_port}"
            model = json.loads(subprocess.run(["curl", "-fsS", f"{stub}/api/tags"], capture_output=True, text=True,
                                              check=True).stdout)["models"][0]["name"]
            npub = json.loads(loom("keygen", "--json", "--output", os.path.join(worker_dir, "worker.nsec")))["npub"]
            settings = {
                "NOSTR_PRIVATE_KEY_FILE": "worker.nsec", "NOSTR_RELAYS": relay, "CASHU_MINT_URL": mint,
                "BLOSSOM_SERVER_URL": blossom, "INFERENCE_BACKEND": "ollama", "OLLAMA_URL": stub, "MODELS": model,
                "PRICE_PER_SECOND": "1", "PRICE_UNIT": "sat", "WHITELIST_ENABLED": "false",
                "MAX_CONCURRENT_JOBS": "1", "ADVERTISEMENT_TTL": "120", "SHUTDOWN_GRACE": "5",
                "DATA_DIR": os.path.join(worker_dir, "data"),
            }
            with start_worker(loom_bin, worker_dir, settings):
                with open(os.path.join(worker_dir, ".env")) as f:
                    port = next(line.split("=", 1)[1].strip() for line in f if line.startswith("METRICS_PORT="))
                client_dir = os.path.join(tmp, "client")

                def listed():
                    out = subprocess.run([loom_bin, "workers", "--relay", relay, "--data-dir", client_dir, "--json"],
                                         capture_output=True, text=True, timeout=120)
                    return json.loads(out.stdout or "[]") if out.returncode == 0 else []

                wait_until("the worker listed by `loom workers`", lambda: any(w["npub"] == npub for w in listed()))
                loom("wallet", "mint", "200", "--mint", mint, "--data-dir", client_dir)
                submit = [loom_bin, "job", "submit", "Why is the sky blue?", "--worker", npub, "--seconds", "30",
                          "--relay", relay, "--mint", mint, "--data-dir", client_dir, "--json", "--timeout", "180"]
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                    try:
                        yield {"url": f"http://127.0.0.1:{port}/", "model": model, "submit": submit,
                               "browser": browser, "listed": listed, "npub": npub}
                    finally:
                        browser.close()


def test_a_job_appears_runs_and_completes_with_its_bill(stack):
    page = stack["browser"].new_page()
    page.goto(stack["url"])
    expect(page.locator("#serving-state")).to_have_text("accepting", timeout=PAGE_WAIT_MS)
    expect(page.locator("#earned-total")).to_have_text("0", timeout=PAGE_WAIT_MS)
    expect(page.locator("#earnings-chart")).to_have_attribute("data-total", "0")
    health = page.locator("#health li")
    expect(page.locator('#health li[data-component="relay"][data-status="ok"]')).to_have_count(1, timeout=PAGE_WAIT_MS)
    expect(page.locator('#health li[data-component="backend"][data-status="ok"]')).to_have_count(1)
    assert health.count() == 4, "relay, mint, Blossom and backend"
    assert "loom wallet melt" in page.locator("#melt-hint").inner_text()

    job = subprocess.Popen(stack["submit"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        running = page.locator('#jobs tr[data-state="running"]')
        expect(running).to_have_count(1, timeout=PAGE_WAIT_MS)
        expect(running.locator(".model")).to_have_text(stack["model"])
        expect(page.locator("#serving-state")).to_have_text("running", timeout=PAGE_WAIT_MS)
        out, err = job.communicate(timeout=240)
    finally:
        if job.poll() is None:
            job.kill()
    assert job.returncode == 0, err
    result = json.loads(out)
    assert result["status"] == "completed"
    charged = result["bill"]["charged_sat"]
    assert charged > 0

    row = page.locator(f'#jobs tr[data-job="{result["job_id"][:12]}"]')
    expect(row).to_have_attribute("data-state", "completed", timeout=PAGE_WAIT_MS)
    expect(row.locator(".model")).to_have_text(stack["model"])
    expect(row.locator(".charged")).to_have_text(str(charged))
    assert float(row.locator(".seconds").inner_text()) > 0
    expect(page.locator("#earned-total")).to_have_text(str(charged), timeout=PAGE_WAIT_MS)
    # The chart: the hour's bars sum to the charge, and so do the day's once that tab is chosen.
    chart = page.locator("#earnings-chart")
    expect(chart).to_have_attribute("data-total", str(charged), timeout=PAGE_WAIT_MS)
    assert sum(int(s) for s in chart.locator("rect").evaluate_all("rs => rs.map(r => r.dataset.sat)")) == charged
    page.click('button[data-window="day"]')
    expect(chart.locator("rect")).to_have_count(24)
    expect(chart).to_have_attribute("data-total", str(charged))
    expect(page.locator("#serving-state")).to_have_text("accepting", timeout=PAGE_WAIT_MS)
    # Nothing of the conversation reaches the page.
    assert "sky" not in page.content().lower()
    page.close()


def test_readable_on_a_phone(stack):
    page = stack["browser"].new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page.goto(stack["url"])
    expect(page.locator("#updated")).not_to_have_text("", timeout=PAGE_WAIT_MS)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px on a phone"
    for part in ["#serving-state", "#earned-total", "#earnings-chart", "#wallets", "#health"]:
        box = page.locator(part).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{part} fits the screen"
    page.close()


def test_loom_workers_shows_the_model_the_job_loaded(stack):
    # The stub, like Ollama, lists a model in /api/ps once it ran: after the job above the worker's
    # next model refresh (10 s at most) republishes its offer with the model warm.
    def warm():
        mine = [w for w in stack["listed"]() if w["npub"] == stack["npub"]]
        return mine[0]["warm"] if mine else None
    wait_until("the offer listing the model as warm", lambda: warm() == [stack["model"]], timeout=60)

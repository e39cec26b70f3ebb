/// The operator's dashboard: one self-contained page (no CDN, no build
/// step) that polls `/api/dashboard` every two seconds. Every value from the
/// snapshot is set with `textContent`, never as HTML: a model name comes from
/// a client's request and must not become markup.
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>loom worker</title>
        <style>
        :root { --bg:#f6f6f4; --card:#fff; --ink:#1d1d1f; --dim:#6b6b70; --line:#e3e3e0; --accent:#b8640b;
                --ok:#2e7d32; --degraded:#b8860b; --down:#c62828; --unknown:#8a8a8f; }
        @media (prefers-color-scheme: dark) {
          :root { --bg:#141416; --card:#1e1e21; --ink:#ececef; --dim:#9a9aa0; --line:#2e2e33; --accent:#f0a04b; }
        }
        * { box-sizing: border-box; }
        body { margin:0; font:15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
        header { display:flex; flex-wrap:wrap; align-items:baseline; gap:.5rem 1rem; padding:1rem; }
        h1 { font-size:1.2rem; margin:0; }
        h2 { font-size:.8rem; margin:0 0 .5rem; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; }
        main { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 340px), 1fr)); gap:1rem; padding:0 1rem 1rem; }
        section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1rem; min-width:0; }
        .wide { grid-column:1 / -1; }
        .big { font-size:1.8rem; font-weight:600; }
        .dim { color:var(--dim); font-size:.85rem; }
        .pill { display:inline-block; padding:.1rem .6rem; border-radius:999px; color:#fff; font-weight:600; background:var(--unknown); }
        .pill.accepting, .pill.running, .ok { background:var(--ok); }
        .pill.draining, .pill.not-serving, .degraded { background:var(--degraded); }
        .down { background:var(--down); }
        .unknown { background:var(--unknown); }
        .tabs button { font:inherit; border:1px solid var(--line); background:transparent; color:var(--ink); padding:.2rem .7rem; border-radius:6px; cursor:pointer; }
        .tabs button[aria-pressed="true"] { background:var(--accent); border-color:var(--accent); color:#fff; }
        svg { display:block; width:100%; height:160px; margin-top:.5rem; border-bottom:1px solid var(--line); }
        svg rect { fill:var(--accent); }
        .scroll { overflow-x:auto; }
        table { width:100%; border-collapse:collapse; font-size:.9rem; }
        th, td { text-align:left; padding:.35rem .4rem; border-bottom:1px solid var(--line); white-space:nowrap; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        td.model { max-width:14rem; overflow:hidden; text-overflow:ellipsis; }
        .show-narrow { display:none; }
        @media (max-width: 480px) {
          td.model { max-width:6.5rem; }
          th, td { padding:.3rem .25rem; font-size:.85rem; }
          .show-narrow { display:inline; }
        }
        ul { list-style:none; margin:0; padding:0; }
        li { display:flex; flex-wrap:wrap; gap:.2rem .5rem; align-items:baseline; padding:.3rem 0; border-bottom:1px solid var(--line); }
        li .name { overflow-wrap:anywhere; min-width:0; flex:1 1 8rem; }
        li .detail { flex-basis:100%; padding-left:1.2rem; color:var(--dim); font-size:.85rem; overflow-wrap:anywhere; }
        .dot { flex:none; width:.7rem; height:.7rem; border-radius:50%; }
        code { overflow-wrap:anywhere; font-size:.8rem; }
        #error { color:var(--down); }
        @media (max-width: 480px) { .hide-narrow { display:none; } .big { font-size:1.4rem; } }
        </style>
        </head>
        <body>
        <header>
          <h1>loom worker</h1>
          <span id="serving-state" class="pill">…</span>
          <span id="serving-reason" class="dim"></span>
          <span id="updated" class="dim"></span>
          <span id="error"></span>
        </header>
        <main>
          <section>
            <h2>Earned</h2>
            <div class="big"><span id="earned-total">–</span> sat</div>
            <div class="dim"><span id="earned-jobs">0</span> settled jobs</div>
          </section>
          <section>
            <h2>Now</h2>
            <div class="big"><span id="tps">–</span> tokens/s</div>
            <div class="dim"><span id="running">0</span> running · <span id="queued">0</span> queued ·
              <span id="rejected">0</span> refused · <span id="dropped">0</span> dropped</div>
          </section>
          <section class="wide">
            <h2>Earnings</h2>
            <div class="tabs" role="group" aria-label="window">
              <button data-window="hour" aria-pressed="true">hour</button>
              <button data-window="day" aria-pressed="false">day</button>
              <button data-window="week" aria-pressed="false">week</button>
              <span class="dim"><span id="chart-total">0</span> sat in this window</span>
            </div>
            <svg id="earnings-chart" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label="earnings"></svg>
            <div class="dim" id="chart-range"></div>
          </section>
          <section class="wide">
            <h2>Jobs</h2>
            <div class="scroll">
            <table id="jobs">
              <thead><tr><th class="hide-narrow">job</th><th>state</th><th>model</th><th class="num">time (s)</th>
                <th class="num"><span class="hide-narrow">charged (sat)</span><span class="show-narrow">sat</span></th><th class="num hide-narrow">tokens/s</th></tr></thead>
              <tbody></tbody>
            </table>
            </div>
            <div class="dim" id="jobs-empty">No jobs yet.</div>
          </section>
          <section>
            <h2>Wallet</h2>
            <ul id="wallets"></ul>
            <p class="dim">Take earnings out (also while the worker runs) with a Lightning invoice:
              <code id="melt-hint"></code></p>
          </section>
          <section>
            <h2>Health</h2>
            <ul id="health"></ul>
          </section>
        </main>
        <script>
        "use strict";
        let windowName = "hour", last = null;
        const $ = (id) => document.getElementById(id);
        const text = (id, value) => { $(id).textContent = value; };
        const el = (tag, cls, value) => {
          const e = document.createElement(tag);
          if (cls) e.className = cls;
          if (value !== undefined) e.textContent = value;
          return e;
        };
        const fmt = (n, digits) => n === null || n === undefined ? "–" : Number(n).toFixed(digits);
        const clock = (t) => new Date(t * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

        function drawChart(series) {
          const svg = $("earnings-chart"), ns = "http://www.w3.org/2000/svg";
          svg.replaceChildren();
          const n = series.sat.length, max = Math.max(1, ...series.sat), w = 100 / n;
          series.sat.forEach((sat, i) => {
            const h = sat === 0 ? 0 : Math.max(0.5, (sat / max) * 38);
            const r = document.createElementNS(ns, "rect");
            r.setAttribute("x", (i * w + w * 0.1).toFixed(3));
            r.setAttribute("width", (w * 0.8).toFixed(3));
            r.setAttribute("y", (40 - h).toFixed(3));
            r.setAttribute("height", h.toFixed(3));
            r.dataset.sat = sat;
            const title = document.createElementNS(ns, "title");
            title.textContent = `${clock(series.start + i * series.bucket_seconds)}: ${sat} sat`;
            r.appendChild(title);
            svg.appendChild(r);
          });
          svg.dataset.total = series.total_sat;
          text("chart-total", series.total_sat);
          const end = series.start + n * series.bucket_seconds;
          text("chart-range", `${new Date(series.start * 1000).toLocaleString()} – ${new Date(end * 1000).toLocaleString()}`);
        }

        function render(s) {
          const pill = $("serving-state");
          pill.textContent = s.serving.state;
          pill.className = "pill " + s.serving.state;
          text("serving-reason", s.serving.reason);
          text("earned-total", s.earnings.total_sat);
          text("earned-jobs", s.earnings.jobs);
          text("tps", fmt(s.tokens_per_second, 1));
          for (const k of ["running", "queued", "rejected", "dropped"]) text(k, s[k]);
          drawChart(s.earnings[windowName]);

          const body = $("jobs").tBodies[0];
          body.replaceChildren(...s.jobs.map((j) => {
            const tr = el("tr");
            tr.dataset.job = j.id;
            tr.dataset.state = j.state;
            const model = el("td", "model", j.model);
            model.title = j.model;
            tr.append(el("td", "hide-narrow", j.id), el("td", "state", j.state), model,
              el("td", "num seconds", fmt(j.seconds, 1)),
              el("td", "num charged", j.charged_sat === undefined || j.charged_sat === null ? "–" : j.charged_sat),
              el("td", "num hide-narrow", fmt(j.tokens_per_second, 1)));
            return tr;
          }));
          $("jobs-empty").hidden = s.jobs.length > 0;

          $("wallets").replaceChildren(...s.wallets.map((w) => {
            const li = el("li");
            li.dataset.mint = w.mint;
            li.append(el("span", "name", w.mint),
              el("strong", "balance", w.error ? "unreadable: " + w.error : w.balance_sat + " sat"),
              el("code", "detail", w.melt));
            return li;
          }));
          text("melt-hint", s.melt_hint);

          $("health").replaceChildren(...s.health.map((h) => {
            const li = el("li");
            li.dataset.component = h.component;
            li.dataset.status = h.status;
            li.append(el("span", "dot " + h.status), el("span", "", h.component),
              el("span", "name", h.name), el("span", "detail", h.detail));
            return li;
          }));
          text("updated", "updated " + new Date(s.generated_at * 1000).toLocaleTimeString());
        }

        async function refresh() {
          try {
            const r = await fetch("/api/dashboard", { cache: "no-store" });
            if (!r.ok) throw new Error("HTTP " + r.status);
            last = await r.json();
            render(last);
            text("error", "");
          } catch (e) {
            text("error", "worker not answering (" + e.message + ")");
          } finally {
            setTimeout(refresh, 2000);
          }
        }

        for (const b of document.querySelectorAll(".tabs button")) {
          b.addEventListener("click", () => {
            windowName = b.dataset.window;
            for (const o of document.querySelectorAll(".tabs button")) o.setAttribute("aria-pressed", String(o === b));
            if (last) drawChart(last.earnings[windowName]);
          });
        }
        refresh();
        </script>
        </body>
        </html>
        """#
}

#include "coordinator/http/status_page.h"

namespace logsweep::coordinator::http {
namespace {

constexpr std::string_view kIndex = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>logsweep coordinator</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="app.css">
</head>
<body>
<header>
  <h1>logsweep</h1>
  <span id="conn" class="conn">connecting…</span>
  <span id="uptime" class="muted"></span>
</header>
<section class="cards" id="cards"></section>
<section>
  <h2>Throughput <span class="muted">(last 5 minutes)</span></h2>
  <canvas id="chart" width="900" height="180" aria-label="files per second and MB per second"></canvas>
  <div class="legend"><span class="files">files/s</span> <span class="mb">MB/s</span></div>
</section>
<section>
  <h2>Running jobs</h2>
  <table id="jobs"><thead><tr><th>job</th><th>progress</th><th>files</th><th>failed</th><th>MB scanned</th><th>elapsed</th><th>client</th></tr></thead><tbody></tbody></table>
  <p id="no-jobs" class="muted">No job is running.</p>
</section>
<section>
  <h2>Workers <span id="worker-count" class="muted"></span></h2>
  <div class="pager">
    <button id="prev" type="button">&larr; previous</button>
    <span id="page-info"></span>
    <button id="next" type="button">next &rarr;</button>
    <label>sort <select id="sort"><option value="name">name</option><option value="busy">busiest</option><option value="quarantined">quarantined first</option></select></label>
  </div>
  <table id="workers"><thead><tr><th>worker</th><th>busy / slots</th><th>tasks done</th><th>MB/s (average)</th><th>connected</th><th>last seen</th><th>state</th></tr></thead><tbody></tbody></table>
</section>
<section class="two">
  <div>
    <h2>Gone workers</h2>
    <ul id="gone" class="list"></ul>
  </div>
  <div>
    <h2>Recent failures</h2>
    <table id="failures"><thead><tr><th>file</th><th>reason</th><th>when</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section>
  <h2>Finished jobs <span class="muted">(since the coordinator started, newest first)</span></h2>
  <table id="history"><thead><tr><th>job</th><th>state</th><th>files</th><th>failed</th><th>MB scanned</th><th>matches</th><th>duration</th><th>finished</th></tr></thead><tbody></tbody></table>
</section>
<script src="app.js"></script>
</body>
</html>
)HTML";

constexpr std::string_view kCss = R"CSS(
:root { --bg: #f7f7f5; --fg: #1d2327; --muted: #6b7280; --line: #d9dcd6;
        --ok: #2f7d32; --bad: #b3261e; --warn: #a15c00; --bar: #3867d6; --mb: #e67e22; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 12px 20px 40px; background: var(--bg);
       color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
header { display: flex; align-items: baseline; gap: 16px; }
h1 { font-size: 22px; margin: 4px 0; }
h2 { font-size: 16px; margin: 22px 0 8px; }
.muted { color: var(--muted); font-weight: normal; }
.conn { padding: 2px 8px; border-radius: 10px; background: #ddd; font-size: 12px; }
.conn.live { background: #d6f0d8; color: var(--ok); }
.conn.down { background: #f6d5d3; color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin-top: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 20px; }
.card span { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-weight: 600; font-size: 12px; color: var(--muted); }
td.path, td.reason { white-space: normal; word-break: break-all; }
.bar { position: relative; width: 220px; height: 14px; background: #e5e7eb; border-radius: 7px; overflow: hidden; }
.bar i { position: absolute; left: 0; top: 0; bottom: 0; background: var(--bar); }
.bar i.failed { background: var(--bad); }
.state-done { color: var(--ok); } .state-failed { color: var(--bad); } .state-cancelled { color: var(--warn); }
.quarantined { color: var(--warn); }
.pager { display: flex; gap: 10px; align-items: center; margin-bottom: 6px; }
.two { display: grid; grid-template-columns: 1fr 2fr; gap: 20px; }
.list { list-style: none; padding: 0; margin: 0; background: #fff; border: 1px solid var(--line); min-height: 30px; }
.list li { padding: 4px 8px; border-bottom: 1px solid var(--line); }
canvas { width: 100%; height: 180px; background: #fff; border: 1px solid var(--line); }
.legend span { margin-right: 14px; font-size: 12px; }
.legend .files::before, .legend .mb::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.legend .files::before { background: var(--bar); } .legend .mb::before { background: var(--mb); }
)CSS";

constexpr std::string_view kJs = R"JS('use strict';
// logsweep status page: polls /api/status and redraws. No dependencies.
(function () {
  const PAGE = 50;
  const state = { offset: 0, sort: 'name', updates: 0, last: null };
  let timer = null;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  function dur(s) {
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  const ago = (s) => dur(Math.max(0, s)) + ' ago';
  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }
  function bar(done, failed, total) {
    const b = el('div', { class: 'bar', title: done + ' of ' + total });
    const ok = el('i');
    const bad = el('i', { class: 'failed' });
    const pct = (n) => (total > 0 ? (100 * n) / total : 100);
    ok.style.width = pct(done) + '%';
    bad.style.width = pct(failed) + '%';
    b.append(ok, bad);
    return b;
  }

  // Rates over the samples: [seconds before now, files, bytes] cumulative.
  function rates(samples) {
    const out = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = samples[i][0] - samples[i - 1][0];
      if (dt <= 0) continue;
      out.push([samples[i][0], (samples[i][1] - samples[i - 1][1]) / dt,
                (samples[i][2] - samples[i - 1][2]) / 1e6 / dt]);
    }
    return out;
  }
  function recent(samples, seconds) {
    if (samples.length < 2) return [0, 0];
    const last = samples[samples.length - 1];
    let first = samples[0];
    for (const s of samples) { if (last[0] - s[0] <= seconds) { first = s; break; } }
    const dt = last[0] - first[0];
    return dt > 0 ? [(last[1] - first[1]) / dt, (last[2] - first[2]) / 1e6 / dt] : [0, 0];
  }
  function drawChart(points) {
    const c = $('chart');
    const ctx = c.getContext('2d');
    const w = c.width, h = c.height, pad = 28;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#d9dcd6';
    ctx.fillStyle = '#6b7280';
    ctx.font = '11px sans-serif';
    for (let m = 0; m <= 5; m++) {
      const x = pad + ((w - 2 * pad) * (300 - m * 60)) / 300;
      ctx.beginPath(); ctx.moveTo(x, 4); ctx.lineTo(x, h - 16); ctx.stroke();
      ctx.fillText(m === 0 ? 'now' : '-' + m + ' min', x - 12, h - 3);
    }
    const series = [[1, '#3867d6'], [2, '#e67e22']];
    for (const [k, color] of series) {
      const max = Math.max(1e-9, ...points.map((p) => p[k]));
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
      points.forEach((p, i) => {
        const x = pad + ((w - 2 * pad) * (300 + p[0])) / 300;
        const y = h - 18 - ((h - 26) * p[k]) / max;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText('max ' + max.toFixed(k === 1 ? 0 : 1) + (k === 1 ? ' files/s' : ' MB/s'),
                   k === 1 ? pad : w / 2, 12);
    }
  }

  function render(d) {
    const s = d.summary;
    const [fps, mbps] = recent(d.rates, 10);
    const cards = [
      ['workers', s.workers + (s.quarantined ? ' (' + s.quarantined + ' quarantined)' : '')],
      ['busy slots', s.busy + ' / ' + s.slots],
      ['running jobs', s.jobs_running],
      ['queued tasks', s.queued_tasks],
      ['files/s', fps.toFixed(1)],
      ['MB/s', mbps.toFixed(1)],
      ['finished jobs', s.jobs_done + s.jobs_failed + s.jobs_cancelled],
      ['failed files', s.tasks_failed],
    ];
    $('cards').replaceChildren(...cards.map(([k, v]) =>
      el('div', { class: 'card' }, el('b', {}, v), el('span', {}, k))));
    $('uptime').textContent = 'up ' + dur(d.uptime_s);
    drawChart(rates(d.rates));

    fill($('jobs').tBodies[0], d.jobs.map((j) =>
      el('tr', { 'data-job': j.id, 'data-done': j.done, 'data-total': j.total, 'data-failed': j.failed },
        el('td', {}, j.id), el('td', {}, bar(j.done - j.failed, j.failed, j.total)),
        el('td', {}, j.done + ' / ' + j.total), el('td', {}, j.failed),
        el('td', {}, mb(j.bytes_scanned)), el('td', {}, dur(j.elapsed_s)),
        el('td', {}, j.client_attached ? 'attached' : 'detached'))));
    $('no-jobs').hidden = d.jobs.length > 0;

    const wk = d.workers;
    $('worker-count').textContent = '(' + wk.total + ')';
    $('page-info').textContent = wk.total === 0 ? 'none' :
      (wk.offset + 1) + '–' + (wk.offset + wk.items.length) + ' of ' + wk.total;
    $('prev').disabled = wk.offset === 0;
    $('next').disabled = wk.offset + wk.items.length >= wk.total;
    fill($('workers').tBodies[0], wk.items.map((w) =>
      el('tr', { 'data-worker': w.name, class: w.quarantined ? 'quarantined' : '' },
        el('td', {}, w.name), el('td', {}, w.in_flight + ' / ' + w.slots),
        el('td', {}, w.tasks_done), el('td', {}, w.mb_per_s.toFixed(1)),
        el('td', {}, dur(w.connected_s)), el('td', {}, ago(w.last_seen_s)),
        el('td', {}, w.quarantined ? 'quarantined: ' + w.quarantine_reason : 'ok'))));

    $('gone').replaceChildren(...(d.gone.length ? d.gone.map((g) =>
      el('li', { 'data-worker': g.name }, el('b', {}, g.name), ' — ' + g.reason + ', ' + ago(g.ago_s)))
      : [el('li', { class: 'muted' }, 'none')]));
    fill($('failures').tBodies[0], d.failures.map((f) =>
      el('tr', {}, el('td', { class: 'path' }, f.path), el('td', { class: 'reason' }, f.reason),
        el('td', {}, ago(f.ago_s)))));
    fill($('history').tBodies[0], d.history.map((j) =>
      el('tr', { 'data-job': j.id, 'data-state': j.state },
        el('td', {}, j.id), el('td', { class: 'state-' + j.state }, j.state),
        el('td', {}, j.files), el('td', {}, j.failed), el('td', {}, mb(j.bytes_scanned)),
        el('td', {}, j.matches), el('td', {}, dur(j.elapsed_s)), el('td', {}, ago(j.ago_s)))));
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const url = 'api/status?offset=' + state.offset + '&limit=' + PAGE + '&sort=' + state.sort;
      const r = await fetch(url, { cache: 'no-store' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const d = await r.json();
      state.last = d;
      render(d);
      state.updates++;
      document.body.dataset.updates = state.updates;
      $('conn').textContent = 'live';
      $('conn').className = 'conn live';
    } catch (e) {
      $('conn').textContent = 'disconnected';
      $('conn').className = 'conn down';
    }
    clearTimeout(timer);
    timer = setTimeout(poll, 1000);
  }
  $('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); poll(); });
  $('next').addEventListener('click', () => { state.offset += PAGE; poll(); });
  $('sort').addEventListener('change', (e) => { state.sort = e.target.value; state.offset = 0; poll(); });
  poll();
})();
)JS";

constexpr std::string_view kFavicon =
    R"SVG(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#3867d6"/><path d="M3 11h10M3 7h7M3 3h4" stroke="#fff" stroke-width="2"/></svg>)SVG";

}  // namespace

const std::vector<PageAsset>& PageAssets() {
  static const std::vector<PageAsset> kAssets = {
      {"/", "text/html; charset=utf-8", kIndex},
      {"/app.js", "text/javascript; charset=utf-8", kJs},
      {"/app.css", "text/css; charset=utf-8", kCss},
      {"/favicon.svg", "image/svg+xml", kFavicon},
      {"/favicon.ico", "image/svg+xml", kFavicon},
  };
  return kAssets;
}

}  // namespace logsweep::coordinator::http

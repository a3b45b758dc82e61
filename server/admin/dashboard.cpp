// GET /: the dashboard, one self-contained page (no CDN, no external fonts) that polls /status
// and /peering every 2 s and shows the node, its peers, rates, backlog and peering proposals.
#include "server/admin/view.h"

namespace tidings::server {
namespace {

constexpr std::string_view page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tidings</title>
<style>
:root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --mute:#6b7385; --line:#e2e5ea;
        --ok:#1f8a4c; --warn:#b7791f; --bad:#c53030; --accent:#2b6cb0; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:baseline; gap:16px; padding:14px 24px; background:#1d2330; color:#fff; }
header h1 { margin:0; font-size:20px; font-weight:600; }
header .sub { color:#aab2c5; font-size:13px; }
header #live { margin-left:auto; font-size:13px; }
.dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:6px; background:var(--mute); }
.dot.ok { background:#48bb78; } .dot.bad { background:#f56565; }
main { padding:18px 24px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(160px, 1fr)); gap:12px; margin-bottom:18px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.card .k { color:var(--mute); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .v { font-size:22px; font-weight:600; font-variant-numeric:tabular-nums; }
.note { color:var(--mute); font-size:12px; margin-top:4px; }
.bar { height:6px; background:var(--line); border-radius:3px; margin-top:6px; overflow:hidden; }
.bar > div { height:100%; background:var(--accent); width:0; }
h2 { font-size:15px; margin:18px 0 8px; }
table { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
th, td { padding:7px 10px; text-align:right; border-bottom:1px solid var(--line); font-variant-numeric:tabular-nums; white-space:nowrap; }
th:first-child, td:first-child, th.l, td.l { text-align:left; }
th { background:#eef0f4; font-weight:600; font-size:12px; color:#444c5e; }
tr:last-child td { border-bottom:none; }
.state { font-weight:600; }
.state.connected { color:var(--ok); } .state.backing_off { color:var(--bad); }
.state.paused { color:var(--warn); } .state.idle, .state.incoming { color:var(--mute); }
.empty { color:var(--mute); text-align:center !important; }
footer { color:var(--mute); font-size:12px; padding:8px 24px 18px; }
</style>
</head>
<body>
<header><h1>Tidings</h1><span class="sub" id="ident">connecting&hellip;</span>
<span id="live"><span class="dot" id="dot"></span><span id="livetext">waiting for /status</span></span></header>
<main>
<div class="cards">
  <div class="card"><div class="k">Articles stored</div><div class="v" id="c-articles">&ndash;</div></div>
  <div class="card"><div class="k">Accepted / s</div><div class="v" id="c-rate">&ndash;</div></div>
  <div class="card"><div class="k">Accepted total</div><div class="v" id="c-accepted">&ndash;</div></div>
  <div class="card"><div class="k">Refused total</div><div class="v" id="c-refused">&ndash;</div></div>
  <div class="card"><div class="k">Groups</div><div class="v" id="c-groups">&ndash;</div></div>
  <div class="card"><div class="k">Connections</div><div class="v" id="c-conns">&ndash;</div></div>
  <div class="card"><div class="k">Backlog</div><div class="v" id="c-backlog">&ndash;</div></div>
  <div class="card"><div class="k">Store map use</div><div class="v" id="c-map">&ndash;</div><div class="bar"><div id="c-mapbar"></div></div><div class="note" id="c-mapof"></div></div>
</div>
<h2>Peers</h2>
<table id="peers">
<thead><tr><th>Peer</th><th class="l">Outgoing state</th><th>Conns</th><th>In sessions</th><th>Offered</th>
<th>Accepted</th><th>Refused</th><th>Rejected</th><th>Deferred</th><th>Sent / s</th><th>Backlog</th><th>Oldest</th></tr></thead>
<tbody><tr><td class="empty" colspan="12">no data yet</td></tr></tbody>
</table>
<h2>Upstreams (pull)</h2>
<table id="upstreams">
<thead><tr><th>Upstream</th><th class="l">State</th><th>Missing</th><th>Fetched</th><th>Rate / s</th><th>ETA</th>
<th>Stored</th><th>Duplicates</th><th>Unavailable</th><th>Errors</th><th class="l">Last error</th></tr></thead>
<tbody><tr><td class="empty" colspan="11">no data yet</td></tr></tbody>
</table>
<h2>Peering</h2>
<p class="note" id="peering-note">&hellip;</p>
<table id="proposals">
<thead><tr><th>Node</th><th class="l">Direction</th><th class="l">State</th><th class="l">Decided by</th>
<th class="l">Addresses</th><th class="l">Offers / wants</th><th class="l">Proposal (nonce)</th><th class="l">Key</th></tr></thead>
<tbody><tr><td class="empty" colspan="8">no data yet</td></tr></tbody>
</table>
<h2>Listeners</h2>
<table id="listeners"><thead><tr><th>Kind</th><th class="l">Address</th><th>Port</th><th class="l">Roles</th><th class="l">TLS</th></tr></thead><tbody></tbody></table>
<h2>Identity</h2>
<p>Peers pin this node's public key: <code id="pin">&hellip;</code></p>
</main>
<footer id="foot"></footer>
<script>
"use strict";
const $ = id => document.getElementById(id);
let last = null;
const fmt = n => (n === undefined || n === null) ? "–" : Number(n).toLocaleString("en-US");
const rate = (now, before, dt) => (before === undefined || dt <= 0) ? "–" : Math.max(0, (now - before) / dt).toFixed(1);
function age(s) {
  if (!s) return "–";
  if (s < 120) return s + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  return (s / 3600).toFixed(1) + " h";
}
function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + " " + u[i];
}
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}
function render(s, t) {
  $("ident").textContent = s.pathhost + " · tidingsd " + s.version + " · up " + age(s.uptime_seconds);
  $("ident").title = "identity " + s.identity.pin;
  $("pin").textContent = s.identity.pin;
  $("dot").className = "dot " + (s.ready ? "ok" : "bad");
  $("livetext").textContent = (s.ready ? "ready" : "not ready") + " · updated " + new Date(t).toLocaleTimeString();
  const dt = last ? (t - last.t) / 1000 : 0;
  const refused = Object.values(s.incoming.refused || {}).reduce((a, b) => a + b, 0);
  $("c-articles").textContent = fmt(s.store.articles);
  $("c-accepted").textContent = fmt(s.incoming.accepted);
  $("c-refused").textContent = fmt(refused);
  $("c-rate").textContent = last ? rate(s.incoming.accepted, last.s.incoming.accepted, dt) : "–";
  $("c-groups").textContent = fmt(s.groups);
  $("c-conns").textContent = fmt(s.connections.total) + " (" + s.connections.transit + " transit)";
  let backlog = 0;
  for (const p of s.peers) if (p.outgoing) backlog += p.outgoing.backlog;
  $("c-backlog").textContent = fmt(backlog);
  const use = s.store.map_use || 0;
  $("c-map").textContent = (use * 100).toFixed(1) + "%";
  $("c-mapof").textContent = bytes(s.store.used_bytes) + " of " + bytes(s.store.map_bytes);
  $("c-mapbar").style.width = Math.min(100, use * 100).toFixed(1) + "%";

  const body = document.querySelector("#peers tbody");
  body.replaceChildren();
  if (!s.peers.length) { const r = body.insertRow(); cell(r, "no peers configured", "empty").colSpan = 12; }
  for (const p of s.peers) {
    const r = body.insertRow();
    r.dataset.peer = p.name;
    const o = p.outgoing;
    const prev = last && last.s.peers.find(q => q.name === p.name);
    cell(r, p.name, "name");
    let state = o ? o.state : "incoming";
    if (o && o.state === "backing_off" && o.retry_at_unix)
      state += " until " + new Date(o.retry_at_unix * 1000).toLocaleTimeString();
    cell(r, o ? state : "incoming only", "l state " + (o ? o.state : "incoming"));
    cell(r, o ? fmt(o.connections_up) : "–");
    cell(r, fmt(p.incoming_sessions));
    cell(r, o ? fmt(o.offered) : "–");
    cell(r, o ? fmt(o.accepted) : "–", "accepted");
    cell(r, o ? fmt(o.refused) : "–");
    cell(r, o ? fmt(o.rejected) : "–");
    cell(r, o ? fmt(o.deferred) : "–");
    cell(r, o && prev && prev.outgoing ? rate(o.accepted, prev.outgoing.accepted, dt) : "–");
    cell(r, o ? fmt(o.backlog) : "–", "backlog");
    cell(r, o ? age(o.oldest_age_seconds) : "–");
  }
  const ub = document.querySelector("#upstreams tbody");
  ub.replaceChildren();
  const ups = Object.entries((s.pull && s.pull.upstreams) || {});
  if (!ups.length) { const r = ub.insertRow(); cell(r, "no [[upstream]] configured", "empty").colSpan = 11; }
  for (const [name, u] of ups) {
    const r = ub.insertRow();
    r.dataset.upstream = name;
    cell(r, name, "name");
    cell(r, u.state, "l state " + u.state);
    cell(r, fmt(u.missing)); cell(r, fmt(u.fetched)); cell(r, Number(u.rate).toFixed(0));
    cell(r, u.eta_seconds !== undefined ? age(Math.round(u.eta_seconds)) : "–");
    cell(r, fmt(u.stored)); cell(r, fmt(u.duplicates)); cell(r, fmt(u.unavailable)); cell(r, fmt(u.errors));
    cell(r, u.last_error || "", "l");
  }
  const lb = document.querySelector("#listeners tbody");
  lb.replaceChildren();
  for (const l of s.listeners) {
    const r = lb.insertRow();
    cell(r, l.kind); cell(r, l.address, "l"); cell(r, String(l.port)); cell(r, l.roles, "l"); cell(r, l.tls, "l");
  }
  const st = s.store;
  $("foot").textContent = "store: " + fmt(st.commits) + " commits, p50 " + st.commit_p50_us + " µs, p99 " +
    st.commit_p99_us + " µs, mean batch " + Number(st.mean_batch_size).toFixed(1) + " · data dir " + s.data_dir;
  last = { s, t };
}
// GET /peering: the proposals, newest first; approving takes the token, so the page says how.
function renderPeering(p) {
  const pending = p.proposals.filter(x => x.direction === "incoming" && x.state === "pending").length;
  $("peering-note").textContent = fmt(p.peerings.length) + " peerings, " + fmt(p.candidates.length) +
    " candidates, " + fmt(pending) + " proposals waiting (seek " + p.seek + "). Approve with " +
    "`tidingsctl peering approve NONCE` or POST /peering/NONCE/approve.";
  const body = document.querySelector("#proposals tbody");
  body.replaceChildren();
  if (!p.proposals.length) { const r = body.insertRow(); cell(r, "no proposals", "empty").colSpan = 8; }
  for (const x of p.proposals.slice().reverse()) {
    const r = body.insertRow();
    r.dataset.proposal = x.nonce;
    cell(r, x.pathhost, "name");
    cell(r, x.direction, "l");
    cell(r, x.state, "l state " + x.state);
    cell(r, x.decided_by || "–", "l");
    cell(r, x.addresses.join(" "), "l");
    cell(r, x.offers + " / " + x.wants, "l");
    cell(r, x.nonce, "l");
    cell(r, x.pin, "l");
  }
}
async function poll() {
  try {
    const r = await fetch("status", { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json(), Date.now());
    const q = await fetch("peering", { cache: "no-store" });
    if (q.ok) { const p = await q.json(); if (p.enabled) renderPeering(p); }
  } catch (e) {
    $("dot").className = "dot bad";
    $("livetext").textContent = "cannot reach /status: " + e.message;
  }
}
poll();
setInterval(poll, 2000);
</script>
</body>
</html>
)HTML";

}  // namespace

std::string_view dashboard_html() noexcept { return page; }

}  // namespace tidings::server

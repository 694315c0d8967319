// accord workbench: live updates. A game page (/games/N) listens to /api/games/N/live with
// EventSource (server-sent events: only what this viewer may see) and, on each event,
// re-fetches the page and swaps its live regions ([data-live-region] elements, by id) and its
// fragments ([data-live-fragment] elements, filled from their URL) -- no full reload. The runs
// pages listen to /api/live/runs. No inline scripts (the content security policy forbids them).
"use strict";

(function () {
  const gameMatch = location.pathname.match(/^\/games\/(\d+)$/);
  const runsPage = /^\/runs(\/|$)/.test(location.pathname);
  const url = gameMatch ? "/api/games/" + gameMatch[1] + "/live" : (runsPage ? "/api/live/runs" : null);
  let received = 0;
  let busy = null;
  let again = false;

  async function fillFragments() {
    for (const el of document.querySelectorAll("[data-live-fragment]")) {
      try {
        const r = await fetch(el.dataset.liveFragment, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (r.ok) { el.innerHTML = await r.text(); }
      } catch (e) { /* the next event retries */ }
    }
  }

  async function fillChannels() {
    for (const select of document.querySelectorAll("select[data-channels]")) {
      if (select.options.length) { continue; }
      try {
        const r = await fetch(select.dataset.channels, { credentials: "same-origin", headers: { "Accept": "application/json" } });
        if (!r.ok) { continue; }
        const data = await r.json();
        for (const c of data.channels) {
          if (!c.can_post) { continue; }
          const opt = document.createElement("option");
          opt.value = c.id;
          opt.textContent = c.label;
          select.appendChild(opt);
        }
      } catch (e) { /* leave it empty */ }
    }
  }

  function editing(region) {
    const active = document.activeElement;
    return active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
  }

  async function swapRegions(kind) {
    const regions = Array.from(document.querySelectorAll("[data-live-region][id]")).filter((el) => {
      const on = el.dataset.liveRegion;
      // a region holding a running turn clock is left to play.js, which reloads the page when
      // the turn changes (swapping it here as well would race that reload)
      if (el.querySelector("#deadline") && document.body.dataset.clock === "polling") { return false; }
      return !on || on.split(" ").includes(kind);
    });
    if (!regions.length) { return; }
    try {
      const r = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (!r.ok) { return; }
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      for (const region of regions) {
        const fresh = doc.getElementById(region.id);
        if (fresh && !editing(region)) { region.replaceWith(document.importNode(fresh, true)); }
      }
      // a deadline that arrived live: start its countdown and follow the turn (play.js)
      if (document.getElementById("deadline") && document.body.dataset.clock !== "polling"
          && typeof startClock === "function") { startClock(); }
    } catch (e) { /* the next event retries */ }
  }

  async function refresh(kind) {
    if (busy) { again = true; return; }
    busy = (async () => {
      do {
        again = false;
        await swapRegions(kind);
        await fillFragments();
      } while (again);
    })();
    try { await busy; } finally { busy = null; }
    document.body.dataset.liveRefreshed = String(received);
  }

  function feed(kind, data) {
    const list = document.getElementById("live-feed");
    if (!list) { return; }
    const li = document.createElement("li");
    li.dataset.kind = kind;
    const parts = [];
    for (const key of ["team", "actor", "turn", "channel", "sender", "rfi", "status", "progress"]) {
      if (data[key] !== undefined && data[key] !== null) { parts.push(key + " " + data[key]); }
    }
    li.textContent = new Date().toLocaleTimeString() + " · " + kind + (parts.length ? ": " + parts.join(", ") : "");
    list.prepend(li);
    while (list.children.length > 30) { list.lastChild.remove(); }
  }

  function listen() {
    if (!url || typeof EventSource === "undefined") { return; }
    const source = new EventSource(url);
    source.addEventListener("hello", () => { document.body.dataset.live = "open"; });
    source.onmessage = (ev) => {  // every published kind arrives here, with data.kind
      received += 1;
      document.body.dataset.liveEvents = String(received);
      let data = {};
      try { data = JSON.parse(ev.data); } catch (e) { data = {}; }
      const kind = String(data.kind || "update");
      feed(kind, data);
      refresh(kind);
    };
    source.onerror = () => { document.body.dataset.live = "reconnecting"; };
  }

  // a message, RFI or answer that was sent: clear its text box (app.js writes "saved" into the
  // form's <output> on success)
  new MutationObserver((records) => {
    for (const r of records) {
      const out = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!out || out.tagName !== "OUTPUT" || out.textContent !== "saved") { continue; }
      const form = out.closest("form");
      const box = form && form.querySelector("textarea[name=text], input[name=text]");
      if (box) { box.value = ""; }
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });

  function start() {
    fillChannels();
    fillFragments();
    listen();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

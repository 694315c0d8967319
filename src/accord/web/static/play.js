// accord workbench, war-game pages: the white cell's desk (rulings, overrides with their diff,
// undo, injects, pause, deadline, rollback and branch, release with confirmation) and the turn
// clock shown to everyone. Uses api() and csrfToken() from app.js; no inline scripts (CSP).
"use strict";

function playMeta() {
  const meta = document.getElementById("game-meta");
  return meta ? { game: meta.dataset.game, turn: meta.dataset.turn, white: meta.dataset.white === "1" } : null;
}

function diffKey() {
  const meta = playMeta();
  return "accord-diff-" + (meta ? meta.game : "");
}

function playBody(form, submitter) {
  const get = (n) => form.elements[n] ? form.elements[n].value : "";
  if (form.dataset.build === "override") {
    const body = { reason: get("reason"), values: {}, force: {}, publish: form.elements.publish.checked };
    if (get("var") && get("value") !== "") { body.values[get("var")] = Number(get("value")); }
    if (get("subject")) { body.force[get("subject")] = get("result") === "success"; }
    return body;
  }
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.tagName === "BUTTON") { continue; }
    if (el.hasAttribute("data-list")) {
      if (!(el.name in body)) { body[el.name] = []; }
      if (el.checked) { body[el.name].push(el.value); }
      continue;
    }
    if (el.dataset.type === "bool") {
      body[el.name] = el.type === "checkbox" ? el.checked : el.value === "true";
      continue;
    }
    if (el.value === "" && el.hasAttribute("data-optional")) { body[el.name] = null; continue; }
    body[el.name] = el.dataset.type === "int" ? parseInt(el.value, 10) : el.value;
  }
  if (submitter && submitter.name) { body[submitter.name] = submitter.value; }
  if (Array.isArray(body.audience) && body.audience.length === 0) { body.audience = null; }
  return body;
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  if (!form.dataset.play) { return; }
  ev.preventDefault();
  const submitter = ev.submitter || null;
  if (submitter && submitter.dataset.confirm && submitter.dataset.armed !== "1") {
    submitter.dataset.armed = "1";
    submitter.dataset.label = submitter.textContent;
    submitter.textContent = "Confirm: " + submitter.dataset.confirm;
    return;
  }
  const box = form.querySelector(".error");
  if (box) { box.textContent = ""; }
  const url = (submitter && submitter.dataset.apiOverride) || form.dataset.play;
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const data = await api("POST", url, playBody(form, submitter));
    if (data && Array.isArray(data.diff)) { sessionStorage.setItem(diffKey(), JSON.stringify(data.diff)); }
    if (form.dataset.then === "redirect" && data && data.redirect) { location.href = data.redirect; return; }
    location.reload();
  } catch (err) {
    if (box) { box.textContent = err.message; } else { alert(err.message); }
    if (submitter && submitter.dataset.label) {
      submitter.textContent = submitter.dataset.label;
      submitter.dataset.armed = "0";
    }
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
});

document.addEventListener("click", async (ev) => {
  const undo = ev.target.closest("[data-undo]");
  if (undo) {
    undo.disabled = true;
    try {
      const data = await api("DELETE", undo.dataset.undo);
      sessionStorage.setItem(diffKey(), JSON.stringify(data.diff));
      location.reload();
    } catch (err) { alert(err.message); undo.disabled = false; }
    return;
  }
  if (ev.target.id === "release") {
    document.getElementById("release-confirm-box").hidden = false;
    ev.target.hidden = true;
    return;
  }
  if (ev.target.id === "release-cancel") {
    document.getElementById("release-confirm-box").hidden = true;
    document.getElementById("release").hidden = false;
  }
});

function showDiff() {
  const box = document.getElementById("diff-box");
  const stored = sessionStorage.getItem(diffKey());
  if (!box || stored === null) { return; }
  sessionStorage.removeItem(diffKey());
  const table = document.getElementById("diff");
  const rows = JSON.parse(stored);
  if (rows.length === 0) {
    const tr = table.insertRow();
    const td = tr.insertCell();
    td.colSpan = 3;
    td.textContent = "No outcome of the turn changed.";
  }
  for (const row of rows) {
    const tr = table.insertRow();
    tr.className = "diff-row";
    for (const cell of [row.what, row.before, row.after]) {
      tr.insertCell().textContent = cell === null ? "(does not happen)" : cell;
    }
  }
  box.hidden = false;
}

function startClock() {
  const span = document.getElementById("deadline");
  const meta = playMeta();
  if (!span || !meta) { return; }
  const deadline = new Date(span.dataset.deadline);
  const tick = () => {
    const left = Math.round((deadline.getTime() - Date.now()) / 1000);
    if (left > 0) {
      const m = Math.floor(left / 60);
      const s = String(left % 60).padStart(2, "0");
      span.textContent = "deadline in " + m + ":" + s;
      span.classList.remove("passed");
    } else {
      span.textContent = "deadline passed";
      span.classList.add("passed");
    }
  };
  tick();
  setInterval(tick, 1000);
  // the turn may be released at the deadline by the server: follow it (from the turn shown,
  // which live.js may have updated since the page loaded)
  const shown = document.getElementById("turn");
  const turn = shown ? shown.textContent.trim() : meta.turn;
  document.body.dataset.clock = "polling";  // live.js leaves the clock's region to this poll
  const poll = async () => {
    try {
      const state = await api("GET", "/api/games/" + meta.game);
      if (String(state.turn) !== turn) { location.reload(); return; }
    } catch (err) { /* keep polling */ }
    setTimeout(poll, 1500);
  };
  setTimeout(poll, 1500);
}

document.addEventListener("DOMContentLoaded", () => {
  showDiff();
  startClock();
  const propose = document.getElementById("propose");
  if (propose) { propose.click(); }
});

// accord workbench: forms are sent as JSON (or multipart for files) with the session's
// CSRF token; no inline scripts (the content security policy forbids them).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

async function api(method, url, body, isForm) {
  const headers = { "X-CSRF-Token": csrfToken(), "Accept": "application/json" };
  const init = { method: method, headers: headers, credentials: "same-origin" };
  if (body !== undefined && body !== null) {
    if (isForm) { init.body = body; } else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
  }
  const response = await fetch(url, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const error = new Error((data && data.detail) ? String(data.detail) : ("HTTP " + response.status));
    error.data = data;
    throw error;
  }
  return data;
}

function formBody(form) {
  if (form.dataset.build === "override") {
    const get = (n) => form.elements[n] ? form.elements[n].value : "";
    const body = { reason: get("reason"), values: {}, force: {} };
    if (get("var") && get("value") !== "") { body.values[get("var")] = Number(get("value")); }
    if (get("subject")) { body.force[get("subject")] = get("result") === "success"; }
    return body;
  }
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) { continue; }
    if (el.hasAttribute("data-vote")) {  // a hand vote on a group decision: {votes: {id: bool}}
      if (!("votes" in body)) { body.votes = {}; }
      if (el.checked && el.value) { body.votes[el.dataset.vote] = el.value === "support"; }
      continue;
    }
    if (el.hasAttribute("data-list")) {
      if (!(el.name in body)) { body[el.name] = []; }
      if (el.checked) { body[el.name].push(el.value); }
      continue;
    }
    if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { continue; }
    if (el.value === "" && el.hasAttribute("data-optional")) { continue; }
    body[el.name] = el.dataset.type === "int" ? parseInt(el.value, 10) : el.value;
  }
  return body;
}

function showError(form, err) {
  const box = form.querySelector(".error");
  if (!box) { alert(err.message); return; }
  box.textContent = err.message;
  const problems = err.data && err.data.problems;
  if (problems) { renderProblems(problems); }
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  if (form.dataset.save !== undefined) { ev.preventDefault(); return saveEditor(form); }
  if (!form.dataset.api) { return; }
  ev.preventDefault();
  const box = form.querySelector(".error");
  if (box) { box.textContent = ""; }
  const isForm = form.enctype === "multipart/form-data";
  const body = isForm ? new FormData(form) : formBody(form);
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const data = await api(form.dataset.method || "POST", form.dataset.api, body, isForm);
    if (form.dataset.show) {
      const out = document.querySelector(form.dataset.show);
      if (out) {
        out.textContent = data && data.invite_url ? new URL(data.invite_url, location.href).href : "saved";
      }
    } else if (form.dataset.redirect && data && data.id !== undefined) {
      location.href = form.dataset.redirect.replace("{id}", String(data.id));
    } else if (data && data.redirect) {
      location.href = data.redirect;
    } else {
      location.reload();
    }
  } catch (err) {
    showError(form, err);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
});

// ---- adjudication proposal
document.addEventListener("click", async (ev) => {
  const button = ev.target.closest("[data-proposal]");
  if (!button) { return; }
  const list = document.getElementById("proposal");
  list.textContent = "";
  try {
    const data = await api("GET", button.dataset.proposal);
    for (const e of data.events) {
      const li = document.createElement("li");
      li.dataset.kind = e.kind;
      const changes = Object.entries(e.changes).map(([k, v]) => k + " = " + Number(v).toPrecision(3)).join(", ");
      li.textContent = "t" + e.turn + " · " + e.text + (changes ? " (" + changes + ")" : "");
      list.appendChild(li);
    }
    list.dataset.ready = "1";
  } catch (err) {
    const li = document.createElement("li");
    li.className = "error";
    li.textContent = err.message;
    list.appendChild(li);
  }
});

// ---- progress polling of a long analysis
function poll() {
  const bar = document.getElementById("progress");
  if (!bar) { return; }
  const tick = async () => {
    try {
      const data = await api("GET", bar.dataset.poll);
      bar.value = data.progress;
      const text = document.getElementById("progress-text");
      if (text) { text.textContent = Math.round(data.progress * 100) + " %"; }
      if (data.status !== "running") { location.reload(); return; }
    } catch (err) { /* keep polling */ }
    setTimeout(tick, 400);
  };
  setTimeout(tick, 300);
}

// ---- scenario editor: validate as you type, save only when valid
function renderProblems(problems) {
  const list = document.getElementById("problems");
  if (!list) { return; }
  list.textContent = "";
  for (const p of problems) {
    const li = document.createElement("li");
    li.dataset.line = p.line || "";
    li.textContent = (p.line ? "line " + p.line + ": " : "") + p.message + (p.field ? " (field " + p.field + ")" : "");
    list.appendChild(li);
  }
}

let validateTimer = null;
async function validateEditor() {
  const editor = document.getElementById("editor");
  const save = document.getElementById("save");
  const validity = document.getElementById("validity");
  const kind = editor.closest(".editor").dataset.kind;
  try {
    const data = await api("POST", "/api/library/validate", { text: editor.value });
    renderProblems(data.problems);
    validity.textContent = data.valid ? "valid" : "not valid";
    editor.closest(".editor").dataset.kind = data.kind || kind;
    if (save) { save.disabled = !data.valid; }
  } catch (err) {
    validity.textContent = err.message;
    if (save) { save.disabled = true; }
  }
}

async function saveEditor(form) {
  const editor = document.getElementById("editor");
  const body = { text: editor.value };
  if (form.elements.name) { body.name = form.elements.name.value; }
  try {
    const data = await api(form.dataset.method, form.dataset.save, body);
    location.href = data.redirect;
  } catch (err) { showError(form, err); }
}

function setupEditor() {
  const editor = document.getElementById("editor");
  if (!editor || editor.readOnly) { return; }
  editor.addEventListener("input", () => {
    const save = document.getElementById("save");
    if (save) { save.disabled = true; }
    document.getElementById("validity").textContent = "checking…";
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validateEditor, 350);
  });
}

document.addEventListener("DOMContentLoaded", () => { poll(); setupEditor(); });

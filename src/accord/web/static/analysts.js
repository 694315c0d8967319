// accord workbench, analysts' pages: the analysis form's fields per analysis, the editor's
// line numbers and unsaved-changes note, the comparison's differences-only filter, and copy
// buttons. No inline scripts (the content security policy forbids them).
"use strict";

function analysisFields() {
  const form = document.getElementById("analysis-form");
  if (!form) { return; }
  const kind = form.elements.kind;
  const apply = () => {
    for (const label of form.querySelectorAll("label[data-for]")) {
      const on = label.dataset.for.split(" ").includes(kind.value);
      label.hidden = !on;
      for (const el of label.querySelectorAll("input, select")) { el.disabled = !on; }
    }
    for (const option of form.querySelectorAll("option[data-not]")) {
      const off = option.dataset.not.split(" ").includes(kind.value);
      option.disabled = off;
      option.hidden = off;
      if (off && option.selected) {
        const first = option.parentElement.querySelector("option:not([data-not])");
        if (first) { first.selected = true; }
      }
    }
  };
  kind.addEventListener("change", apply);
  apply();
}

function lineNumbers() {
  const editor = document.getElementById("editor");
  const gutter = document.getElementById("gutter");
  if (!editor || !gutter) { return; }
  const saved = editor.value;
  const draw = () => {
    const n = editor.value.split("\n").length;
    let text = "";
    for (let i = 1; i <= n; i++) { text += i + "\n"; }
    gutter.textContent = text;
    gutter.scrollTop = editor.scrollTop;
    const dirty = editor.value !== saved;
    for (const note of document.querySelectorAll(".dirty-note")) { note.hidden = !dirty; }
  };
  editor.addEventListener("input", draw);
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  draw();
  // a problem's line number jumps to that line
  document.addEventListener("click", (ev) => {
    const li = ev.target.closest("#problems li[data-line]");
    if (!li || !li.dataset.line) { return; }
    const line = parseInt(li.dataset.line, 10);
    const lines = editor.value.split("\n");
    const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    editor.focus();
    editor.setSelectionRange(start, start + (lines[line - 1] || "").length);
    editor.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(editor).lineHeight || "16"));
  });
}

function differencesOnly() {
  const box = document.getElementById("only-differences");
  const table = document.getElementById("compare-table");
  if (!box || !table) { return; }
  const apply = () => { table.classList.toggle("only-differences", box.checked); };
  box.addEventListener("change", apply);
  apply();
}

// copy buttons: an element with data-copy="#selector" (copies its text) or data-copy-text
document.addEventListener("click", async (ev) => {
  const button = ev.target.closest("[data-copy], [data-copy-text]");
  if (!button) { return; }
  ev.preventDefault();
  let text = button.dataset.copyText || "";
  if (button.dataset.copy) {
    const source = document.querySelector(button.dataset.copy);
    text = source ? (source.value || source.textContent || "").trim() : "";
  }
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (err) {
    // no clipboard (plain http): select the text so that Ctrl+C copies it
    const source = button.dataset.copy ? document.querySelector(button.dataset.copy) : null;
    if (source) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    button.textContent = "Press Ctrl+C";
  }
  button.dataset.copied = "1";
});

document.addEventListener("DOMContentLoaded", () => { analysisFields(); lineNumbers(); differencesOnly(); });

// seat assignment: the controls show the current assignment; assigning a person again (a new
// invitation, the old link stops working) or replacing a joined person asks first
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (!form.classList || !form.classList.contains("seat-form")) { return; }
  const kind = form.elements.kind.value;
  const player = form.elements.player.value;
  const current = form.dataset.current;
  let question = null;
  if (kind === "human" && current === "human") {
    question = "This team already has an invitation. Make a new link? The old one stops working.";
  } else if (kind === current && (kind !== "auto" || player === form.dataset.currentPlayer)) {
    question = "This is already the team's assignment. Assign it again?";
  }
  if (question !== null && !window.confirm(question)) {
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }
}, true);

// an invitation link appears: show its copy button
function inviteCopyButtons() {
  for (const out of document.querySelectorAll("output.invite")) {
    const button = out.parentElement.querySelector(".copy-invite");
    if (!button) { continue; }
    new MutationObserver(() => { button.hidden = !out.textContent.includes("/join/"); })
      .observe(out, { childList: true, characterData: true, subtree: true });
  }
}
document.addEventListener("DOMContentLoaded", inviteCopyButtons);

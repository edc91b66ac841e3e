// The record forms (report, publicity, inspection, station visit): filled from the record kept on the phone, every
// change kept at once (a draft survives closing the browser), photos added
// and removed, the record put in the outbox, and the 409 choice screen.
import { app, el, labels } from "./shell.js";
import { del, get, now, put, uuid } from "./outbox.js";
import { compress } from "./photo.js";
import { locate } from "../core/geo.js";
import { editable, fixOf, inspectionProblem, payload, unitName } from "./records.js";
import { syncAll } from "./sync.js";
import { inspectionFieldSaved, prepareInspection, showInspection, wireInspection } from "./inspection-form.js";

function fillSelects(form) {
  const boot = app.boot;
  if (!boot) return;
  for (const sel of form.querySelectorAll("select[data-fill]")) {
    if (sel.dataset.filled) continue;
    for (const row of boot[sel.dataset.fill] || []) {
      if (sel.dataset.fill === "colleagues" && row.id === boot.user.id) continue;
      const opt = el("option", "", row.name);
      opt.value = row.code || row.id;
      sel.appendChild(opt);
    }
    sel.dataset.filled = "1";
  }
}

/* The 409 screen: both versions side by side, the differing rows marked. */
const SERVER_FIELD = { category: "category_code" };

function renderCompare(form, rec) {
  const body = form.querySelector("[data-compare]");
  body.textContent = "";
  if (!rec.conflict || !rec.server) return;
  const mine = payload(rec);
  for (const name of Object.keys(mine)) {
    if (name === "id") continue;
    const input = form.elements[name];
    const label = input && input.closest("label") ? input.closest("label").firstChild.textContent : name;
    const show = (v) => {
      if (v === null || v === undefined || v === "") return "—";
      if (/_at$/.test(name)) return new Date(v).toLocaleString();
      if (name === "unit_id") return unitName(v);
      if (input && input.tagName === "SELECT") {
        // A choice shows as the words on the form, not its code.
        const opt = Array.from(input.options).find((o) => o.value === String(v));
        if (opt) return opt.textContent;
      }
      if (name === "area_id") {
        const area = ((app.boot && app.boot.areas) || []).find((x) => x.id === v);
        return area ? area.name : v;
      }
      return String(v);
    };
    const held = show(rec.server[SERVER_FIELD[name] || name]);
    const phone = show(mine[name]);
    const tr = el("tr", held === phone ? "" : "differs");
    tr.dataset.field = name;
    tr.appendChild(el("th", "", label));
    tr.appendChild(el("td", "", held));
    tr.appendChild(el("td", "", phone));
    body.appendChild(tr);
  }
}

/* Where a field the server named sits in the form: an element marked with
   it (data-field), or the input of that name (or of that name with _id). */
export function fieldTarget(form, key) {
  if (!form || !key) return null;
  const name = CSS.escape(key);
  return form.querySelector('[data-field~="' + name + '"]') || form.querySelector('[name="' + name + '"]') ||
    form.querySelector('[name="' + name + '_id"]');
}

/* The words the form shows for that field, never its key. */
export function fieldLabel(form, key) {
  const t = fieldTarget(form, key);
  if (!t) return "";
  if (t.dataset.label) return t.dataset.label;
  const label = t.tagName === "LABEL" ? t : t.closest("label");
  return ((label ? label.firstChild.textContent : t.textContent) || "").trim();
}

/* A refusal as the user reads it: "label：what to fix". */
export function problemText(kind, problem) {
  const label = fieldLabel(document.querySelector("form[data-kind=" + kind + "]"), problem.field);
  return (label ? label + "：" : "") + problem.text;
}

/* Open the form at a field: scrolled to, marked, and focused if it is an input. */
export function openAt(form, key) {
  const t = fieldTarget(form, key);
  if (!t) return;
  const input = t.matches("input, select, textarea") ? t : t.querySelector("input, select, textarea");
  const mark = input && !input.disabled ? input : t;
  mark.classList.add("invalid");
  t.scrollIntoView({ block: "center" });
  if (input && !input.disabled && input.type !== "file") input.focus({ preventScroll: true });
}

async function renderThumbs(form, rec) {
  const box = form.querySelector("[data-thumbs]");
  if (!box) return; // a station visit has no photos
  for (const img of box.querySelectorAll("img")) URL.revokeObjectURL(img.src);
  box.textContent = "";
  for (const photo of rec.photos) {
    const stored = await get("photos", photo.id);
    if (!stored) continue;
    const li = el("li");
    const img = el("img");
    img.src = URL.createObjectURL(stored.blob);
    img.alt = labels.photos;
    li.appendChild(img);
    if (editable(rec) && !photo.sent) {
      const rm = el("button", "", "×");
      rm.type = "button";
      rm.dataset.removePhoto = photo.id;
      li.appendChild(rm);
    }
    box.appendChild(li);
  }
}

export async function renderForm(kind, id) {
  const rec = await get("records", id);
  if (!rec) { location.hash = ""; return; }
  app.current = rec;
  const form = document.querySelector("form[data-kind=" + kind + "]");
  fillSelects(form);
  if (kind === "inspection") prepareInspection(form, rec);
  const locked = !editable(rec) && !rec.conflict;
  for (const f of form.elements) {
    if (!f.name) continue;
    const v = rec.data[f.name];
    if (f.type === "radio" || f.type === "checkbox") f.checked = !!v && v === f.value;
    else f.value = v !== undefined ? v : f.defaultValue;
    f.classList.remove("invalid");
    // What the server made the record with stays as it was made.
    f.disabled = locked || (rec.created && f.hasAttribute("data-create-only"));
  }
  for (const t of form.querySelectorAll(".invalid")) t.classList.remove("invalid");
  showProblems(form, rec);
  const conflict = form.querySelector("[data-conflict]");
  if (conflict) { conflict.hidden = !rec.conflict; renderCompare(form, rec); }
  if (kind === "inspection") await showInspection(form, rec);
  await renderThumbs(form, rec);
}

function showError(form, text) {
  const err = form.querySelector("[data-error]");
  err.textContent = text || "";
  err.hidden = !text;
}

/* What the server refused, each once with its field's words, and how to go on. */
function showProblems(form, rec) {
  const problems = rec.problems || [];
  if (!problems.length) { showError(form, rec.detail); return; }
  const err = form.querySelector("[data-error]");
  err.textContent = "";
  for (const p of problems) err.appendChild(el("span", "problem", problemText(rec.kind, p)));
  if (rec.state === "attention") err.appendChild(el("span", "problem", labels.fixAndSend));
  err.hidden = false;
}

/* Every change is kept at once. */
async function saveField(event) {
  const f = event.target;
  const rec = app.current;
  if (!rec || !f.name) return;
  if (f.type === "radio" && !f.checked) return;
  rec.data[f.name] = f.type === "checkbox" ? (f.checked ? f.value : "") : f.value;
  rec.updated_at = now();
  f.classList.remove("invalid");
  await put("records", rec);
  if (rec.kind === "inspection") inspectionFieldSaved(f.form, rec, f.name);
}

/* app.current is read again after each wait: a render meanwhile (a send
   ending) replaces it with the copy just read from IndexedDB. */
async function addPhotos(event) {
  const input = event.target;
  // A report's or a publicity record's photo is stamped with where it was
  // taken: one position for the photos chosen together, asked for while
  // they are compressed (an inspection's photos carry the record's fix).
  const here = app.current.kind === "inspection" || !(input.files || []).length ? null : locate();
  for (const file of Array.from(input.files || [])) {
    try {
      const blob = await compress(file);
      const id = uuid();
      await put("photos", { id, record_id: app.current.id, blob });
      // The fix held when the photo is taken goes with it, to be stamped on it.
      app.current.photos.push({ id, sent: false, size: blob.size, fix: fixOf(app.current) || fixFrom(await here) });
    } catch (e) {
      showError(input.form, labels.photoFailed);
    }
  }
  input.value = "";
  app.current.updated_at = now();
  await put("records", app.current);
  await renderThumbs(input.form, app.current);
}

/* A position from core/geo.js as an upload sends it, or null. */
function fixFrom(position) {
  if (!position) return null;
  return { latitude: Number(position.latitude), longitude: Number(position.longitude),
           accuracy_m: position.accuracy_m === "" ? null : Number(position.accuracy_m) };
}

async function removePhoto(form, id) {
  const rec = app.current;
  if (!rec || !editable(rec) || rec.photos.some((p) => p.id === id && p.sent)) return;
  app.current.photos = app.current.photos.filter((p) => p.id !== id);
  await del("photos", id);
  await put("records", app.current);
  renderThumbs(form, app.current);
}

async function submitRecord(event) {
  event.preventDefault();
  const form = event.target;
  const rec = app.current;
  if (!rec) return;
  let missing = false;
  for (const f of form.elements) {
    if (f.required && !String(f.value).trim()) { f.classList.add("invalid"); missing = true; }
  }
  if (missing) { showError(form, labels.required); return; }
  if (rec.kind === "inspection") {
    const problem = inspectionProblem(rec);
    if (problem) { showError(form, problem.text); openAt(form, problem.field); return; }
    // Sending submits it, and a submitted record is locked: ask first.
    if (!window.confirm(labels.submitConfirm)) return;
    // Corrected after a refusal: what was typed goes again, once.
    if (rec.created) rec.steps.content = false;
  }
  rec.state = "waiting";
  rec.detail = "";
  rec.problems = [];
  rec.updated_at = now();
  await put("records", rec);
  location.hash = "";
  syncAll();
}

/* A 409: the server's version stays as it is; the user either keeps it
   (the phone's copy is marked sent) or sends the phone's copy: a
   publicity record replaces the server's, any other as a new record with
   a new UUID. */
async function resolve(choice) {
  const rec = app.current;
  if (!rec || !rec.conflict) return;
  if (choice === "server") {
    if (!window.confirm(labels.keepConfirm)) return;
    rec.state = "sent";
    rec.created = true;
    rec.kept_server = true;
    for (const p of rec.photos) p.sent = true;
  } else if (rec.kind === "outreach") {
    rec.state = "waiting";
    rec.overwrite = true;
  } else {
    rec.id = uuid();
    rec.state = "waiting";
    rec.created = false;
    for (const p of rec.photos) p.sent = false;
  }
  const old = location.hash.split("/")[1];
  rec.conflict = false;
  rec.server = null;
  rec.detail = rec.kept_server ? labels.keptServer : "";
  await put("records", rec);
  if (rec.id !== old) {
    for (const p of rec.photos) {
      const stored = await get("photos", p.id);
      if (stored) { stored.record_id = rec.id; await put("photos", stored); }
    }
    await del("records", old);
  }
  location.hash = "";
  syncAll();
}

async function discard() {
  const rec = app.current;
  if (!rec || rec.created || !window.confirm(labels.confirm)) return;
  for (const p of rec.photos) await del("photos", p.id);
  for (const id of Object.values(rec.signatures || {})) await del("photos", id);
  await del("records", rec.id);
  location.hash = "";
}

/* Once, at start: one set of listeners per form. */
export function wireForm(form) {
  form.addEventListener("input", saveField);
  form.addEventListener("change", (e) => {
    if (e.target.matches("[data-photos]")) addPhotos(e);
    else saveField(e);
  });
  form.addEventListener("submit", submitRecord);
  form.addEventListener("click", (e) => {
    const t = e.target;
    if (t.matches("[data-discard]")) discard();
    if (t.dataset.resolve) resolve(t.dataset.resolve);
    if (t.dataset.removePhoto) removePhoto(form, t.dataset.removePhoto);
  });
  if (form.dataset.kind === "inspection") wireInspection(form);
}

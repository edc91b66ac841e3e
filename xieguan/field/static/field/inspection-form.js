// The parts only the inspection form has: the unit search, the unit's
// checklist, the GPS fix and the three signature pads. The GPS capture and
// the pad are the ones the desktop inspection pages use too.
import { locate } from "../core/geo.js";
import { signaturePad } from "../core/signature.js";
import { app, el, labels } from "./shell.js";
import { del, get, now, put, uuid } from "./outbox.js";
import { loadImage } from "./photo.js";
import { checklistItems, editable, photosRequired } from "./records.js";

const pads = {};

/* A township holds hundreds of units: the list shows the first 50 that
   match the search (name or address), always with the one chosen. */
function fillUnits(form, rec) {
  const sel = form.querySelector("[data-units]");
  if (!app.boot) return;
  const q = (form.querySelector("[data-unit-search]").value || "").trim();
  sel.length = 1;
  let shown = 0;
  for (const u of app.boot.units) {
    const hit = !q || u.name.indexOf(q) >= 0 || (u.address || "").indexOf(q) >= 0;
    if ((hit && shown < 50) || u.id === rec.data.unit_id) {
      const opt = el("option", "", u.name + (u.address ? "（" + u.address + "）" : ""));
      opt.value = u.id;
      sel.appendChild(opt);
      if (hit) shown++;
    }
  }
  sel.value = rec.data.unit_id || "";
}

function renderChecklist(form, rec) {
  const box = form.querySelector("[data-checklist]");
  const items = checklistItems(rec.data.unit_id);
  form.querySelector("[data-no-checklist]").hidden = items.length > 0;
  const needed = items.length ? photosRequired(rec.data.unit_id) : 0;
  form.querySelector("[data-photos-rule]").textContent = needed ? labels.photosRule.replace("{n}", needed) : "";
  if (box.dataset.unit === (rec.data.unit_id || "")) return;
  box.dataset.unit = rec.data.unit_id || "";
  box.textContent = "";
  for (const it of items) {
    const li = el("li");
    li.appendChild(el("p", "", it.code + ". " + it.text));
    const row = el("div", "answers");
    for (const v of ["conforms", "fails", "na"]) {
      const lab = el("label", "check");
      const r = el("input");
      r.type = "radio"; r.name = "ans-" + it.id; r.value = v;
      lab.appendChild(r);
      lab.appendChild(document.createTextNode(" " + labels[v]));
      row.appendChild(lab);
    }
    li.appendChild(row);
    const note = el("input");
    note.type = "text"; note.name = "note-" + it.id; note.maxLength = 300; note.placeholder = labels.note;
    li.appendChild(note);
    box.appendChild(li);
  }
}

function gpsStatus(form, rec) {
  const d = rec.data;
  form.querySelector("[data-gps-status]").textContent = d.latitude
    ? Number(d.latitude).toFixed(5) + ", " + Number(d.longitude).toFixed(5) + " · " + labels.accuracy + " ±" +
      Math.round(Number(d.accuracy_m)) + " m"
    : d.gps_none ? labels.gpsNone : "";
}

async function locateInto(form) {
  const rec = app.current;
  form.querySelector("[data-gps-status]").textContent = labels.gpsWait;
  const position = await locate();
  Object.assign(rec.data, position || {}, { gps_none: position ? "" : "1" });
  await put("records", rec);
  gpsStatus(form, rec);
}

/* That signature is to be sent again (true if it had been sent). */
function forget(rec, key) {
  const had = !!(rec.steps && rec.steps["sig-" + key]);
  if (rec.steps) delete rec.steps["sig-" + key];
  return had;
}

/* A signature is a PNG blob in IndexedDB with its own UUID (the upload's).
   A new drawing is a new signature to send, even after a refused send. */
async function saveSignature(key, pad) {
  if (!app.current || !editable(app.current)) return;
  const blob = await pad.toBlob();
  const rec = app.current;  // read after the wait, as forms.js does
  const old = rec.signatures[key];
  const id = uuid();
  await put("photos", { id, record_id: rec.id, blob });
  rec.signatures[key] = id;
  forget(rec, key);
  rec.updated_at = now();
  await put("records", rec);
  if (old) await del("photos", old);
}

async function renderSignatures(form, rec) {
  const second = form.querySelector("[data-second-name]");
  second.dataset.label = second.dataset.label || second.textContent;
  const colleague = ((app.boot && app.boot.colleagues) || []).find((p) => p.id === rec.data.second_id);
  second.textContent = colleague ? colleague.name : second.dataset.label;
  form.querySelector("[data-sign=rep]").hidden = !!rec.data.rep_refused;
  for (const key of Object.keys(pads)) {
    const id = rec.signatures && rec.signatures[key];
    const stored = id ? await get("photos", id) : null;
    pads[key].locked = !editable(rec);
    pads[key].show(stored ? await loadImage(stored.blob) : null);
  }
}

async function clearSignature(form, key) {
  const rec = app.current;
  if (!rec || !editable(rec)) return;
  const old = rec.signatures[key];
  delete rec.signatures[key];
  forget(rec, key);
  await put("records", rec);
  if (old) await del("photos", old);
  renderSignatures(form, rec);
}

/* Once, at start: the pads and the controls only this form has. */
export function wireInspection(form) {
  for (const box of form.querySelectorAll("[data-sign]")) {
    pads[box.dataset.sign] = signaturePad(box.querySelector("canvas"), {
      onEnd: (pad) => saveSignature(box.dataset.sign, pad),
    });
  }
  form.addEventListener("input", (e) => {
    if (e.target.matches("[data-unit-search]") && app.current) fillUnits(form, app.current);
  });
  form.addEventListener("click", (e) => {
    if (e.target.matches("[data-gps]")) locateInto(form);
    if (e.target.dataset.clear) clearSignature(form, e.target.dataset.clear);
  });
}

/* Before the record's values go into the form: the options and the
   checklist's inputs they go into. */
export function prepareInspection(form, rec) {
  fillUnits(form, rec);
  renderChecklist(form, rec);
}

/* After: what is drawn from the record rather than typed. */
export async function showInspection(form, rec) {
  gpsStatus(form, rec);
  await renderSignatures(form, rec);
}

/* A field was kept: the parts that hang on it follow. Another second
   inspector signs for themself: the drawing of the one before is cleared. */
export async function inspectionFieldSaved(form, rec, name) {
  if (name === "unit_id") renderChecklist(form, rec);
  if (name === "second_id" && rec.signatures.second) await clearSignature(form, "second");
  if ((name === "rep_refused" || name === "representative") && forget(rec, "rep")) await put("records", rec);
  if (name === "second_id" || name === "rep_refused") renderSignatures(form, rec);
}

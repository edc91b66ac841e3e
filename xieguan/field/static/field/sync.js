// Sending, when there is a signal: the bearer token, the JSON API, the
// resumable photo uploads, and each record's steps in order. Every step is
// idempotent on the server (UUIDs, content hashes), and each step done is
// remembered, so a cut anywhere leaves the record waiting and the next try
// continues where it stopped.
import { app, changed, labels, root } from "./shell.js";
import { all, get, hex, now, put } from "./outbox.js";
import { endpoint, fixOf, inspectionCreate, inspectionPatch, payload, signers } from "./records.js";

const CHUNK = 64 * 1024;
const TARGET = { report: "report_photo", outreach: "outreach_photo", inspection: "inspection_photo" };
let tokenPending = null;
let syncing = false;

function csrf() {
  const m = document.querySelector("meta[name=csrf-token]");
  return m ? m.content : "";
}

async function token(renew) {
  const kept = renew ? null : await get("kv", "token");
  if (kept) return kept;
  // Callers at the same moment share one request for a new token.
  if (!tokenPending) {
    tokenPending = (async () => {
      const r = await fetch(root.dataset.tokenUrl, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() },
      });
      if (!r.ok) throw new Error("signin");
      const key = (await r.json()).token;
      await put("kv", key, "token");
      return key;
    })();
    tokenPending.then(() => { tokenPending = null; }, () => { tokenPending = null; });
  }
  return tokenPending;
}

/* One API request; a refused token is renewed once. */
async function api(method, path, body, extra) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = Object.assign({ Authorization: "Bearer " + (await token(attempt > 0)) }, extra || {});
    let data = body;
    if (body && !(body instanceof FormData) && !(body instanceof Blob)) {
      headers["Content-Type"] = "application/json";
      data = JSON.stringify(body);
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 60000);
    let r;
    try {
      r = await fetch("/api" + path, { method, headers, body: data, signal: ctrl.signal });
    } finally {
      clearTimeout(timer);
    }
    if (r.status !== 401) return r;
  }
  throw new Error("signin");
}

/* What the forms need (units, checklists, colleagues, what is due), fresh
   when there is a signal, else as kept. */
export async function loadBootstrap() {
  if (navigator.onLine) {
    try {
      const r = await api("GET", "/field/bootstrap");
      if (r.ok) {
        app.boot = await r.json();
        app.boot.loaded_at = now();
        await put("kv", app.boot, "bootstrap");
        return;
      }
    } catch (e) { /* no signal after all: use what is kept */ }
  }
  await loadKeptBootstrap();
}

export async function loadKeptBootstrap() {
  app.boot = (await get("kv", "bootstrap")) || null;
}

/* A resumable upload (tus-like): start it (idempotent on its UUID), then
   send 64 KB chunks from the offset the server holds; after a cut the next
   try asks again and continues, never from zero. */
async function upload(id, target, recordId, blob, extra) {
  const sha = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  const body = Object.assign({ id, target, record_id: recordId, length: blob.size, sha256: sha,
                               content_type: blob.type || "image/jpeg" }, extra || {});
  const r = await api("POST", "/uploads", body);
  if (r.status !== 200 && r.status !== 201) return r;
  let state = await r.json();
  for (let guard = 0; guard < 1000 && !state.complete; guard++) {
    const from = state.offset;
    const pr = await api("PATCH", "/uploads/" + id, blob.slice(from, from + CHUNK),
                         { "Upload-Offset": String(from), "Content-Type": "application/offset+octet-stream",
                           "Tus-Resumable": "1.0.0" });
    if (pr.status === 409) { state.offset = parseInt(pr.headers.get("Upload-Offset"), 10) || 0; continue; }
    if (pr.status !== 200) return pr;
    state = await pr.json();
  }
  return { status: 200, ok: true, json: () => Promise.resolve(state.result || {}) };
}

const refused = (status) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/* True when the step went through; a refusal marks the record for the
   user's attention; anything else is thrown and tried again later. */
async function ok(rec, r) {
  if (r.status === 200 || r.status === 201 || r.status === 204) return true;
  if (refused(r.status)) { await attention(rec, r); return false; }
  throw new Error("server " + r.status);
}

/* A refusal: each field the server named with its messages, once (the
   detail repeats them with the field's key; the outbox shows the form's
   words instead), or the detail alone when it names no field. */
async function attention(rec, r) {
  let body = {};
  try { body = await r.json(); } catch (e) { body = {}; }
  rec.state = "attention";
  rec.problems = [];
  rec.detail = body.detail || labels.refused.replace("{status}", r.status);
  if (body.fields && r.status !== 409) {
    for (const field of Object.keys(body.fields)) {
      const text = Array.from(new Set(body.fields[field])).join("");
      if (text) rec.problems.push({ field: field === "__all__" ? "" : field, text });
    }
    if (rec.problems.length) rec.detail = "";
  }
  return body;
}

/* One record: create (idempotent on its UUID), then each photo not yet
   acknowledged (kept once per hash); an inspection then its content,
   signatures and the submit. A repeated step changes nothing. */
async function send(rec) {
  rec.state = "sending";
  rec.detail = "";
  rec.problems = [];
  rec.steps = rec.steps || {};
  await put("records", rec);
  changed();
  try {
    if (rec.overwrite) {
      // The user chose the phone's version over the server's (409).
      const body = payload(rec);
      delete body.id;
      if (!(await ok(rec, await api("PATCH", endpoint(rec) + "/" + rec.id, body)))) return put("records", rec);
      rec.overwrite = false;
      rec.created = true;
      await put("records", rec);
    }
    if (!rec.created) {
      // If-None-Match: a lost answer's retry must match what the server
      // holds; a record changed there since answers 409 (both kept).
      const r = rec.kind === "inspection"
        ? await api("POST", "/inspections", inspectionCreate(rec))
        : await api("POST", endpoint(rec), payload(rec), { "If-None-Match": "*" });
      if (r.status === 409) {
        const held = await attention(rec, r);
        rec.conflict = true;
        rec.server = held.server || null;
        rec.conflictFields = Object.keys(held.fields || {});
        return put("records", rec);
      }
      if (!(await ok(rec, r))) return put("records", rec);
      rec.created = true;
      if (rec.kind === "inspection" && (await r.clone().json()).status === "submitted") {
        // The server already holds this record submitted (the phone lost the
        // answer): a submitted record is final, so nothing is left to send.
        rec.steps.content = rec.steps.submitted = true;
        signers(rec).forEach((sig) => { rec.steps["sig-" + sig.key] = true; });
        rec.photos.forEach((p) => { p.sent = true; });
      }
      await put("records", rec);
    }
    if (rec.kind === "inspection" && !rec.steps.content) {
      if (!(await ok(rec, await api("PATCH", "/inspections/" + rec.id, inspectionPatch(rec))))) {
        return put("records", rec);
      }
      rec.steps.content = true;
      await put("records", rec);
    }
    for (const p of rec.photos) {
      if (p.sent) continue;
      const stored = await get("photos", p.id);
      if (!stored) { p.sent = true; continue; }
      // A photo carries the fix it was taken at (an inspection's, else the record's), stamped on it.
      const pr = await upload(p.id, TARGET[rec.kind], rec.id, stored.blob, p.fix || fixOf(rec));
      if (!(await ok(rec, pr))) return put("records", rec);
      p.sent = true;
      p.sha256 = (await pr.json()).sha256;
      await put("records", rec);
    }
    if (rec.kind === "inspection") {
      for (const sig of signers(rec)) {
        if (rec.steps["sig-" + sig.key]) continue;
        let sr;
        if (sig.refused) {
          const form = new FormData();
          form.append("role", "representative");
          form.append("name", rec.data.representative || "");
          form.append("refused", "true");
          sr = await api("POST", "/inspections/" + rec.id + "/signatures", form);
        } else {
          const stored = await get("photos", rec.signatures[sig.key]);
          sr = await upload(rec.signatures[sig.key], "inspection_signature", rec.id, stored.blob,
                            { role: sig.role, user_id: sig.user_id || null, name: sig.name || "" });
        }
        if (!(await ok(rec, sr))) return put("records", rec);
        rec.steps["sig-" + sig.key] = true;
        await put("records", rec);
      }
      if (!rec.steps.submitted) {
        if (!(await ok(rec, await api("POST", "/inspections/" + rec.id + "/submit")))) return put("records", rec);
        rec.steps.submitted = true;
      }
    }
    rec.state = "sent";
    rec.sent_at = now();
  } catch (e) {
    rec.state = "waiting";
    if (e.message === "signin") rec.detail = labels.signin;
  }
  await put("records", rec);
}

/* Everything waiting, or cut while sending, one record after another; when
   the user presses "send now" (retry), also what the server refused before
   (it may have been put right on the full site meanwhile), never a 409's
   choice that only the user can make. */
export async function syncAll(retry) {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  try {
    let sentSome = false;
    const job = async () => {
      for (const listed of await all("records")) {
        // Read again: another tab may have sent it meanwhile.
        const rec = await get("records", listed.id);
        const again = retry === true && rec && rec.state === "attention" && !rec.conflict;
        if (rec && (rec.state === "waiting" || rec.state === "sending" || again)) {
          await send(rec);
          sentSome = true;
        }
      }
    };
    // One sender at a time across tabs; the server is idempotent anyway.
    if (navigator.locks) await navigator.locks.request("xieguan-field-sync-" + root.dataset.user, job);
    else await job();
    // What is due changed with what was just sent: fetch it again.
    if (sentSome) await loadBootstrap();
  } finally {
    syncing = false;
    changed();
  }
}

/* The field app (SPEC §13): forms that work with no signal, drafts and an
   outbox in IndexedDB, photos compressed on the phone, sending when the
   signal returns. Every record and photo has a UUID made here; the server
   keeps a record once per UUID and a photo once per content hash, so any
   send may be repeated safely. No framework; every text comes from the page
   (translated on the server). */
(function () {
  "use strict";

  var root = document.getElementById("field");
  if (!root) return;
  var labels = document.getElementById("labels").dataset;
  var USER = root.dataset.user;
  var MAX_SIDE = 1600;
  var MAX_BYTES = 300 * 1024;
  var db = null;
  var boot = null;
  var syncing = false;

  /* ---------------------------------------------------------------- storage */

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("xieguan-field-" + USER, 1);
      req.onupgradeneeded = function () {
        var d = req.result;
        d.createObjectStore("kv");
        d.createObjectStore("records", { keyPath: "id" });
        d.createObjectStore("photos", { keyPath: "id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(store, mode, fn) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(store, mode);
      var req = fn(t.objectStore(store));
      t.oncomplete = function () { resolve(req ? req.result : undefined); };
      t.onerror = function () { reject(t.error); };
      t.onabort = function () { reject(t.error); };
    });
  }
  function get(store, key) { return run(store, "readonly", function (s) { return s.get(key); }); }
  function all(store) { return run(store, "readonly", function (s) { return s.getAll(); }); }
  function put(store, value, key) {
    return run(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  }
  function del(store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* ---------------------------------------------------------------- network */

  function csrf() {
    var m = document.querySelector("meta[name=csrf-token]");
    return m ? m.content : "";
  }

  var tokenPending = null;

  async function token(renew) {
    var t = renew ? null : await get("kv", "token");
    if (t) return t;
    // Callers at the same moment share one request for a new token.
    if (!tokenPending) {
      tokenPending = (async function () {
        var r = await fetch(root.dataset.tokenUrl, {
          method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }
        });
        if (!r.ok) throw new Error("signin");
        var key = (await r.json()).token;
        await put("kv", key, "token");
        return key;
      })();
      tokenPending.then(function () { tokenPending = null; }, function () { tokenPending = null; });
    }
    return tokenPending;
  }

  async function api(method, path, body, extra) {
    for (var attempt = 0; attempt < 2; attempt++) {
      var headers = Object.assign({ Authorization: "Bearer " + (await token(attempt > 0)) }, extra || {});
      var payload = body;
      if (body && !(body instanceof FormData) && !(body instanceof Blob)) {
        headers["Content-Type"] = "application/json";
        payload = JSON.stringify(body);
      }
      var ctrl = new AbortController();
      var timer = setTimeout(function () { ctrl.abort(); }, 60000);
      try {
        var r = await fetch("/api" + path, { method: method, headers: headers, body: payload, signal: ctrl.signal });
      } finally {
        clearTimeout(timer);
      }
      if (r.status !== 401) return r;
    }
    throw new Error("signin");
  }

  async function loadBootstrap() {
    if (navigator.onLine) {
      try {
        var r = await api("GET", "/field/bootstrap");
        if (r.ok) {
          boot = await r.json();
          boot.loaded_at = new Date().toISOString();
          await put("kv", boot, "bootstrap");
          return;
        }
      } catch (e) { /* no signal after all: use what is kept */ }
    }
    boot = (await get("kv", "bootstrap")) || null;
  }

  /* ---------------------------------------------------------------- photos */

  function loadImage(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return viaImg(file); });
    }
    return viaImg(file);
  }
  function viaImg(file) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("image")); };
      img.src = url;
    });
  }
  function toBlob(canvas, q) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", q); });
  }

  /* Long side at most 1600 px, at most 300 KB: lower the quality, then the size. */
  async function compress(file) {
    var img = await loadImage(file);
    var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
    var canvas = document.createElement("canvas");
    var blob = null;
    for (var round = 0; round < 6; round++) {
      canvas.width = Math.max(1, Math.round(img.width * scale));
      canvas.height = Math.max(1, Math.round(img.height * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      for (var q = 0.85; q >= 0.45; q -= 0.1) {
        blob = await toBlob(canvas, q);
        if (blob && blob.size <= MAX_BYTES) return blob;
      }
      scale *= 0.75;
    }
    return blob;
  }

  /* ---------------------------------------------------------------- records */

  function now() { return new Date().toISOString(); }
  function localInput(date, withTime) {
    var d = new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString();
    return withTime ? d.slice(0, 16) : d.slice(0, 10);
  }

  async function newRecord(kind) {
    var data = kind === "report"
      ? { found_at: localInput(new Date(), true), affected_count: "0" }
      : kind === "inspection" ? { started_at: localInput(new Date(), true) }
      : { date: localInput(new Date(), false), audience_count: "0", form: "lecture",
          area_id: boot && boot.user.area_id ? boot.user.area_id : "" };
    if (kind === "report" && boot && boot.report_categories.length) data.category = boot.report_categories[0].code;
    var rec = { id: uuid(), kind: kind, state: "draft", data: data, photos: [], signatures: {}, steps: {},
                created: false, detail: "", updated_at: now() };
    await put("records", rec);
    location.hash = kind + "/" + rec.id;
  }

  function payload(rec) {
    var d = rec.data;
    var num = function (v) { var n = parseInt(v, 10); return isNaN(n) ? 0 : n; };
    if (rec.kind === "report") {
      return {
        id: rec.id, category: d.category, found_at: d.found_at ? new Date(d.found_at).toISOString() : null,
        place: d.place || "", content: d.content || "", affected_count: num(d.affected_count),
        unit_id: d.unit_id || null
      };
    }
    return {
      id: rec.id, area_id: d.area_id || null, date: d.date || null, place: d.place || "", form: d.form,
      theme: d.theme || "", audience: d.audience || "", audience_count: num(d.audience_count),
      unit_id: d.form === labels.guidance && d.unit_id ? d.unit_id : null
    };
  }

  function endpoint(rec) {
    return rec.kind === "report" ? "/reports" : rec.kind === "inspection" ? "/inspections" : "/outreach";
  }
  var TARGET = { report: "report_photo", outreach: "outreach_photo", inspection: "inspection_photo" };

  function dec(v) { return v === undefined || v === "" || v === null ? null : String(v); }

  /* The inspection record in the API's two steps: the create (unit, time,
     inspectors, GPS) and the draft's content (answers, result, problems). */
  function inspectionCreate(rec) {
    var d = rec.data;
    return {
      id: rec.id, unit_id: d.unit_id, started_at: new Date(d.started_at).toISOString(),
      device_time: new Date(rec.updated_at).toISOString(),
      inspector_ids: [boot.user.id, d.second_id].filter(Boolean), place: d.place || "",
      latitude: dec(d.latitude), longitude: dec(d.longitude), accuracy_m: d.accuracy_m ? Number(d.accuracy_m) : null
    };
  }
  function inspectionPatch(rec) {
    var d = rec.data;
    var answers = checklistItems(d.unit_id).map(function (it) {
      return { item_id: it.id, result: d["ans-" + it.id] || "", note: (d["note-" + it.id] || "").slice(0, 300) };
    });
    return { answers: answers, overall_result: d.overall_result || "", problems: d.problems || "",
             representative: d.representative || "", place: d.place || "" };
  }

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  var CHUNK = 64 * 1024;

  /* A resumable upload (tus-like): start it (idempotent on its UUID), then
     send 64 KB chunks from the offset the server holds; after a cut the
     next try asks again and continues, never from zero. */
  async function upload(id, target, recordId, blob, extra) {
    var sha = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
    var body = Object.assign({ id: id, target: target, record_id: recordId, length: blob.size, sha256: sha,
                               content_type: blob.type || "image/jpeg" }, extra || {});
    var r = await api("POST", "/uploads", body);
    if (r.status !== 200 && r.status !== 201) return r;
    var state = await r.json();
    for (var guard = 0; guard < 1000 && !state.complete; guard++) {
      var from = state.offset;
      var pr = await api("PATCH", "/uploads/" + id, blob.slice(from, from + CHUNK),
                         { "Upload-Offset": String(from), "Content-Type": "application/offset+octet-stream",
                           "Tus-Resumable": "1.0.0" });
      if (pr.status === 409) { state.offset = parseInt(pr.headers.get("Upload-Offset"), 10) || 0; continue; }
      if (pr.status !== 200) return pr;
      state = await pr.json();
    }
    return { status: 200, ok: true, json: function () { return Promise.resolve(state.result || {}); } };
  }

  async function ok(rec, r) {
    if (r.status === 200 || r.status === 201 || r.status === 204) return true;
    if (refused(r.status)) { await attention(rec, r); return false; }
    throw new Error("server " + r.status);
  }

  function refused(status) { return status >= 400 && status < 500 && status !== 408 && status !== 429; }

  async function attention(rec, r) {
    var detail = "";
    var body = {};
    try { body = await r.json(); detail = body.detail || ""; } catch (e) { detail = String(r.status); }
    if (body.fields && r.status !== 409) {
      Object.keys(body.fields).forEach(function (k) { detail += " " + body.fields[k].join(" "); });
    }
    rec.state = "attention";
    rec.detail = detail;
    return body;
  }

  /* One record: create (idempotent on its UUID), then each photo not yet
     acknowledged (a resumable upload, kept once per hash); an inspection
     then its content, signatures and the submit. Each step done is
     remembered, so a cut anywhere leaves it waiting and the next try
     continues where it stopped; a repeated step changes nothing. */
  async function send(rec) {
    rec.state = "sending";
    rec.detail = "";
    rec.steps = rec.steps || {};
    await put("records", rec);
    render();
    try {
      if (rec.overwrite) {
        // The user chose the phone's version over the server's (409).
        var body = payload(rec);
        delete body.id;
        if (!(await ok(rec, await api("PATCH", endpoint(rec) + "/" + rec.id, body)))) return put("records", rec);
        rec.overwrite = false;
        rec.created = true;
        await put("records", rec);
      }
      if (!rec.created) {
        // If-None-Match: a lost answer's retry must match what the server
        // holds; a record changed there since answers 409 (both kept).
        var r = rec.kind === "inspection"
          ? await api("POST", "/inspections", inspectionCreate(rec))
          : await api("POST", endpoint(rec), payload(rec), { "If-None-Match": "*" });
        if (r.status === 409) {
          var held = await attention(rec, r);
          rec.conflict = true;
          rec.server = held.server || null;
          rec.conflictFields = Object.keys(held.fields || {});
          return put("records", rec);
        }
        if (!(await ok(rec, r))) return put("records", rec);
        rec.created = true;
        await put("records", rec);
      }
      if (rec.kind === "inspection" && !rec.steps.content) {
        if (!(await ok(rec, await api("PATCH", "/inspections/" + rec.id, inspectionPatch(rec))))) {
          return put("records", rec);
        }
        rec.steps.content = true;
        await put("records", rec);
      }
      for (var i = 0; i < rec.photos.length; i++) {
        var p = rec.photos[i];
        if (p.sent) continue;
        var stored = await get("photos", p.id);
        if (!stored) { p.sent = true; continue; }
        var pr = await upload(p.id, TARGET[rec.kind], rec.id, stored.blob);
        if (!(await ok(rec, pr))) return put("records", rec);
        p.sent = true;
        p.sha256 = (await pr.json()).sha256;
        await put("records", rec);
      }
      if (rec.kind === "inspection") {
        var sigs = signers(rec);
        for (var k = 0; k < sigs.length; k++) {
          var sig = sigs[k];
          if (rec.steps["sig-" + sig.key]) continue;
          var sr;
          if (sig.refused) {
            var form = new FormData();
            form.append("role", "representative");
            form.append("name", rec.data.representative || "");
            form.append("refused", "true");
            sr = await api("POST", "/inspections/" + rec.id + "/signatures", form);
          } else {
            var blob = await get("photos", rec.signatures[sig.key]);
            sr = await upload(rec.signatures[sig.key], "inspection_signature", rec.id, blob.blob,
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

  function signers(rec) {
    var d = rec.data;
    var out = [{ key: "me", role: "inspector", user_id: boot.user.id },
               { key: "second", role: "inspector", user_id: d.second_id }];
    if (d.rep_refused) out.push({ key: "rep", role: "representative", refused: true });
    else out.push({ key: "rep", role: "representative", name: d.representative || "" });
    return out;
  }

  async function syncAll() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      var sentSome = false;
      var job = async function () {
        var recs = await all("records");
        for (var i = 0; i < recs.length; i++) {
          // Read again: another tab may have sent it meanwhile.
          var rec = await get("records", recs[i].id);
          if (rec && (rec.state === "waiting" || rec.state === "sending")) {
            await send(rec);
            sentSome = true;
          }
        }
      };
      // One sender at a time across tabs; the server is idempotent anyway.
      if (navigator.locks) await navigator.locks.request("xieguan-field-sync-" + USER, job);
      else await job();
      // What is due changed with what was just sent: fetch it again.
      if (sentSome) await loadBootstrap();
    } finally {
      syncing = false;
      render();
    }
  }

  /* ---------------------------------------------------------------- views */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function title(rec) {
    var d = rec.data;
    if (rec.kind === "inspection") return d.unit_id ? unitName(d.unit_id) : "—";
    return (rec.kind === "report" ? d.content || d.place : d.theme || d.place) || "—";
  }

  function unitOf(id) {
    if (!boot) return null;
    for (var i = 0; i < boot.units.length; i++) if (boot.units[i].id === id) return boot.units[i];
    return null;
  }

  function checklistItems(unitId) {
    var u = unitOf(unitId);
    if (!u || !boot) return [];
    for (var i = 0; i < boot.checklists.length; i++) {
      if (boot.checklists[i].id === u.checklist_id) return boot.checklists[i].items;
    }
    return [];
  }

  /* A township holds hundreds of units: the list shows the first 50 that
     match the search (name or address), always with the one chosen. */
  function fillUnits(form, rec) {
    var sel = form.querySelector("[data-units]");
    if (!sel || !boot) return;
    var q = (form.querySelector("[data-unit-search]").value || "").trim();
    sel.length = 1;
    var shown = 0;
    boot.units.forEach(function (u) {
      var hit = !q || u.name.indexOf(q) >= 0 || (u.address || "").indexOf(q) >= 0;
      if ((hit && shown < 50) || u.id === rec.data.unit_id) {
        var opt = el("option", "", u.name + (u.address ? "（" + u.address + "）" : ""));
        opt.value = u.id;
        sel.appendChild(opt);
        if (hit) shown++;
      }
    });
    sel.value = rec.data.unit_id || "";
  }

  function renderChecklist(form, rec) {
    var box = form.querySelector("[data-checklist]");
    var items = checklistItems(rec.data.unit_id);
    form.querySelector("[data-no-checklist]").hidden = items.length > 0;
    if (box.dataset.unit === (rec.data.unit_id || "")) return;
    box.dataset.unit = rec.data.unit_id || "";
    box.textContent = "";
    items.forEach(function (it) {
      var li = el("li");
      li.appendChild(el("p", "", it.code + " " + it.text));
      var row = el("div", "answers");
      ["conforms", "fails", "na"].forEach(function (v) {
        var lab = el("label", "check");
        var r = el("input");
        r.type = "radio"; r.name = "ans-" + it.id; r.value = v;
        lab.appendChild(r);
        lab.appendChild(document.createTextNode(" " + labels[v]));
        row.appendChild(lab);
      });
      li.appendChild(row);
      var note = el("input");
      note.type = "text"; note.name = "note-" + it.id; note.maxLength = 300; note.placeholder = labels.note;
      li.appendChild(note);
      box.appendChild(li);
    });
  }

  function gpsStatus(form, rec) {
    var d = rec.data;
    var out = form.querySelector("[data-gps-status]");
    out.textContent = d.latitude
      ? Number(d.latitude).toFixed(5) + ", " + Number(d.longitude).toFixed(5) + " · " + labels.accuracy + " ±" +
        Math.round(Number(d.accuracy_m)) + " m"
      : d.gps_none ? labels.gpsNone : "";
  }

  function locate(form) {
    var rec = current;
    var out = form.querySelector("[data-gps-status]");
    if (!navigator.geolocation) { rec.data.gps_none = "1"; gpsStatus(form, rec); return; }
    out.textContent = labels.gpsWait;
    navigator.geolocation.getCurrentPosition(async function (pos) {
      rec.data.latitude = pos.coords.latitude.toFixed(6);
      rec.data.longitude = pos.coords.longitude.toFixed(6);
      rec.data.accuracy_m = String(Math.round(pos.coords.accuracy * 10) / 10);
      rec.data.gps_none = "";
      await put("records", rec);
      gpsStatus(form, rec);
    }, async function () {
      rec.data.gps_none = "1";
      await put("records", rec);
      gpsStatus(form, rec);
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  /* ---------------------------------------------------------------- signatures */

  function drawPad(canvas) {
    var ctx = canvas.getContext("2d");
    var last = null;
    function at(e) {
      var b = canvas.getBoundingClientRect();
      return [(e.clientX - b.left) * canvas.width / b.width, (e.clientY - b.top) * canvas.height / b.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      if (canvas.dataset.locked) return;
      last = at(e); canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!last) return;
      var p = at(e);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
      ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
      last = p;
      canvas.dataset.drawn = "1";
    });
    function end() {
      if (!last) return;
      last = null;
      saveSignature(canvas.parentNode.dataset.sign, canvas);
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  /* A signature is a PNG blob in IndexedDB with its own UUID (the upload's). */
  async function saveSignature(key, canvas) {
    if (!current) return;
    var blob = await new Promise(function (r) { canvas.toBlob(r, "image/png"); });
    var old = current.signatures[key];
    var id = uuid();
    await put("photos", { id: id, record_id: current.id, blob: blob });
    current.signatures[key] = id;
    current.updated_at = now();
    await put("records", current);
    if (old) await del("photos", old);
  }

  async function renderSignatures(form, rec) {
    var second = form.querySelector("[data-second-name]");
    second.dataset.label = second.dataset.label || second.textContent;
    var c = (boot && boot.colleagues || []).filter(function (p) { return p.id === rec.data.second_id; })[0];
    second.textContent = c ? c.name : second.dataset.label;
    form.querySelector("[data-sign=rep]").hidden = !!rec.data.rep_refused;
    var pads = form.querySelectorAll("[data-sign]");
    for (var i = 0; i < pads.length; i++) {
      var canvas = pads[i].querySelector("canvas");
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset.drawn;
      if (rec.created) canvas.dataset.locked = "1"; else delete canvas.dataset.locked;
      var id = rec.signatures && rec.signatures[pads[i].dataset.sign];
      var stored = id ? await get("photos", id) : null;
      if (stored) {
        ctx.drawImage(await loadImage(stored.blob), 0, 0);
        canvas.dataset.drawn = "1";
      }
    }
  }

  function unitName(id) {
    if (!boot) return id;
    for (var i = 0; i < boot.units.length; i++) if (boot.units[i].id === id) return boot.units[i].name;
    return id;
  }

  async function renderHome() {
    var recs = (await all("records")).sort(function (a, b) { return a.updated_at < b.updated_at ? 1 : -1; });
    var list = document.getElementById("outbox");
    list.textContent = "";
    document.getElementById("empty").hidden = recs.length > 0;
    recs.forEach(function (rec) {
      var li = el("li");
      li.dataset.id = rec.id;
      li.dataset.state = rec.state;
      var a = el("a");
      if (rec.state === "draft" || rec.state === "attention") a.href = "#" + rec.kind + "/" + rec.id;
      a.appendChild(el("span", "title", title(rec)));
      a.appendChild(el("span", "badge " + rec.state, labels[rec.state]));
      a.appendChild(el("span", "muted small", labels[rec.kind] +
        (rec.photos.length ? " · " + rec.photos.length + " " + labels.photos : "")));
      if (rec.detail) a.appendChild(el("span", "error small", " " + rec.detail));
      li.appendChild(a);
      list.appendChild(li);
    });
    var due = document.getElementById("due");
    due.textContent = "";
    var rows = boot ? boot.due : [];
    document.getElementById("no-due").hidden = rows.length > 0;
    rows.slice(0, 50).forEach(function (row) {
      var li = el("li", "", (row.unit_name || unitName(row.unit_id)) + " ");
      li.appendChild(el("span", "badge " + (row.state === "overdue" ? "attention" : "waiting"), row.window_end));
      due.appendChild(li);
    });
    var asOf = document.getElementById("as-of");
    asOf.textContent = boot && boot.loaded_at
      ? asOf.dataset.label + " " + new Date(boot.loaded_at).toLocaleString() : "";
  }

  /* The 409 screen: both versions side by side, the differing rows marked. */
  var SERVER_FIELD = { category: "category_code" };
  function renderCompare(form, rec) {
    var body = form.querySelector("[data-compare]");
    body.textContent = "";
    if (!rec.conflict || !rec.server) return;
    var mine = payload(rec);
    Object.keys(mine).forEach(function (name) {
      if (name === "id") return;
      var input = form.elements[name];
      var label = input && input.closest("label") ? input.closest("label").firstChild.textContent : name;
      var held = rec.server[SERVER_FIELD[name] || name];
      var show = function (v, f) {
        if (v === null || v === undefined || v === "") return "—";
        if (/_at$/.test(f) && v) return new Date(v).toLocaleString();
        if (f === "unit_id") return unitName(v);
        if (input && input.tagName === "SELECT") {
          // A choice shows as the words on the form, not its code.
          var opt = Array.prototype.filter.call(input.options, function (o) { return o.value === String(v); })[0];
          if (opt) return opt.textContent;
        }
        if (f === "area_id") {
          var a = (boot && boot.areas || []).filter(function (x) { return x.id === v; })[0];
          return a ? a.name : v;
        }
        return String(v);
      };
      var a = show(held, name), b = show(mine[name], name);
      var tr = el("tr", a === b ? "" : "differs");
      tr.dataset.field = name;
      tr.appendChild(el("th", "", label));
      tr.appendChild(el("td", "", a));
      tr.appendChild(el("td", "", b));
      body.appendChild(tr);
    });
  }

  function fillSelects(form) {
    if (!boot) return;
    form.querySelectorAll("select[data-fill]").forEach(function (sel) {
      if (sel.dataset.filled) return;
      var rows = boot[sel.dataset.fill] || [];
      rows.forEach(function (row) {
        if (sel.dataset.fill === "colleagues" && row.id === boot.user.id) return;
        var opt = el("option", "", row.name);
        opt.value = row.code || row.id;
        sel.appendChild(opt);
      });
      sel.dataset.filled = "1";
    });
  }

  async function renderThumbs(form, rec) {
    var box = form.querySelector("[data-thumbs]");
    box.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    box.textContent = "";
    for (var i = 0; i < rec.photos.length; i++) {
      var stored = await get("photos", rec.photos[i].id);
      if (!stored) continue;
      var li = el("li");
      var img = el("img");
      img.src = URL.createObjectURL(stored.blob);
      img.alt = labels.photos;
      li.appendChild(img);
      if (!rec.created) {
        var rm = el("button", "", "×");
        rm.type = "button";
        rm.dataset.removePhoto = rec.photos[i].id;
        li.appendChild(rm);
      }
      box.appendChild(li);
    }
  }

  var current = null;

  async function renderForm(kind, id) {
    var rec = await get("records", id);
    if (!rec) { location.hash = ""; return; }
    current = rec;
    var form = document.querySelector("form[data-kind=" + kind + "]");
    fillSelects(form);
    if (kind === "inspection") { fillUnits(form, rec); renderChecklist(form, rec); }
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name) return;
      var v = rec.data[f.name];
      if (f.type === "radio" || f.type === "checkbox") f.checked = !!v && v === f.value;
      else f.value = v !== undefined ? v : f.defaultValue;
      f.classList.remove("invalid");
      f.disabled = rec.created && !rec.conflict;
    });
    var err = form.querySelector("[data-error]");
    err.textContent = rec.detail || "";
    err.hidden = !rec.detail;
    var conflict = form.querySelector("[data-conflict]");
    if (conflict) { conflict.hidden = !rec.conflict; renderCompare(form, rec); }
    if (kind === "inspection") { gpsStatus(form, rec); await renderSignatures(form, rec); }
    await renderThumbs(form, rec);
  }

  async function render() {
    var parts = location.hash.replace(/^#/, "").split("/");
    var kind = ["report", "outreach", "inspection"].indexOf(parts[0]) >= 0 ? parts[0] : "";
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== (kind || "home"); });
    if (kind) await renderForm(kind, parts[1]);
    else { current = null; await renderHome(); }
  }

  /* Every change is kept at once: a draft survives closing the browser. */
  async function saveField(event) {
    var f = event.target;
    if (!current || !f.name) return;
    if (f.type === "radio" && !f.checked) return;
    current.data[f.name] = f.type === "checkbox" ? (f.checked ? f.value : "") : f.value;
    current.updated_at = now();
    f.classList.remove("invalid");
    await put("records", current);
    if (f.name === "unit_id" && current.kind === "inspection") renderChecklist(f.form, current);
    if ((f.name === "second_id" || f.name === "rep_refused") && current.kind === "inspection") {
      renderSignatures(f.form, current);
    }
  }

  async function addPhotos(event) {
    var input = event.target;
    var form = input.form;
    var files = Array.prototype.slice.call(input.files || []);
    for (var i = 0; i < files.length; i++) {
      try {
        var blob = await compress(files[i]);
        var pid = uuid();
        await put("photos", { id: pid, record_id: current.id, blob: blob });
        current.photos.push({ id: pid, sent: false, size: blob.size });
      } catch (e) {
        var err = form.querySelector("[data-error]");
        err.textContent = labels.photoFailed;
        err.hidden = false;
      }
    }
    input.value = "";
    current.updated_at = now();
    await put("records", current);
    await renderThumbs(form, current);
  }

  async function submitRecord(event) {
    event.preventDefault();
    var form = event.target;
    if (!current) return;
    var missing = false;
    Array.prototype.forEach.call(form.elements, function (f) {
      if (f.required && !String(f.value).trim()) { f.classList.add("invalid"); missing = true; }
    });
    var err = form.querySelector("[data-error]");
    if (missing) { err.textContent = labels.required; err.hidden = false; return; }
    var problem = current.kind === "inspection" ? inspectionProblem(current) : "";
    if (problem) { err.textContent = problem; err.hidden = false; return; }
    current.state = "waiting";
    current.detail = "";
    current.updated_at = now();
    await put("records", current);
    location.hash = "";
    syncAll();
  }

  /* The web form's rules, checked on the phone so that nothing is sent
     that the server would refuse at submit. */
  function inspectionProblem(rec) {
    var d = rec.data;
    var items = checklistItems(d.unit_id);
    var failing = false;
    for (var i = 0; i < items.length; i++) {
      var a = d["ans-" + items[i].id];
      if (!a || (a === "fails" && !(d["note-" + items[i].id] || "").trim())) return labels.needAnswers;
      if (a === "fails") failing = true;
    }
    if (!items.length) return labels.needAnswers;
    if (failing && (d.overall_result === "conforming" || !(d.problems || "").trim())) return labels.needProblems;
    if (rec.photos.length < 2) return labels.needPhotos;
    var s = rec.signatures || {};
    if (!s.me || !s.second || (!d.rep_refused && (!s.rep || !(d.representative || "").trim()))) {
      return labels.needSignatures;
    }
    return "";
  }

  /* A 409: the server's version stays as it is; the user either keeps it
     (the phone's copy is marked sent) or sends the phone's copy as a new
     record with a new UUID. */
  async function resolve(choice) {
    if (!current || !current.conflict) return;
    if (choice === "server") {
      if (!window.confirm(labels.keepConfirm)) return;
      current.state = "sent";
      current.created = true;
      current.kept_server = true;
      current.photos.forEach(function (p) { p.sent = true; });
    } else if (current.kind === "outreach") {
      // The publicity record can be corrected: the phone's version replaces it.
      current.state = "waiting";
      current.overwrite = true;
    } else {
      current.id = uuid();
      current.state = "waiting";
      current.created = false;
      current.photos.forEach(function (p) { p.sent = false; });
    }
    var old = location.hash.split("/")[1];
    current.conflict = false;
    current.server = null;
    current.detail = current.kept_server ? labels.keptServer : "";
    await put("records", current);
    if (current.id !== old) {
      for (var i = 0; i < current.photos.length; i++) {
        var stored = await get("photos", current.photos[i].id);
        if (stored) { stored.record_id = current.id; await put("photos", stored); }
      }
      await del("records", old);
    }
    location.hash = "";
    syncAll();
  }

  async function discard() {
    if (!current || current.created || !window.confirm(labels.confirm)) return;
    for (var i = 0; i < current.photos.length; i++) await del("photos", current.photos[i].id);
    var sigs = current.signatures || {};
    for (var k in sigs) await del("photos", sigs[k]);
    await del("records", current.id);
    location.hash = "";
  }

  function showNet() {
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? net.dataset.on : net.dataset.off;
    net.classList.toggle("off", !navigator.onLine);
  }

  /* ---------------------------------------------------------------- start */

  async function start() {
    db = await openDb();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(function () {});
    }
    showNet();
    await loadBootstrap();
    document.querySelectorAll("[data-new]").forEach(function (b) {
      b.addEventListener("click", function () { newRecord(b.dataset.new); });
    });
    document.querySelectorAll("form.record").forEach(function (form) {
      form.addEventListener("input", function (e) {
        if (e.target.matches("[data-unit-search]")) { if (current) fillUnits(form, current); return; }
        saveField(e);
      });
      form.querySelectorAll("canvas").forEach(drawPad);
      form.addEventListener("change", function (e) {
        if (e.target.matches("[data-photos]")) addPhotos(e);
        else if (!e.target.matches("[data-unit-search]")) saveField(e);
      });
      form.addEventListener("submit", submitRecord);
      form.addEventListener("click", async function (e) {
        var t = e.target;
        if (t.matches("[data-discard]")) discard();
        if (t.matches("[data-gps]")) locate(form);
        if (t.dataset.clear && current && !current.created) {
          var old = current.signatures[t.dataset.clear];
          delete current.signatures[t.dataset.clear];
          await put("records", current);
          if (old) await del("photos", old);
          renderSignatures(form, current);
        }
        if (t.dataset.resolve) resolve(t.dataset.resolve);
        if (t.dataset.removePhoto && current && !current.created) {
          current.photos = current.photos.filter(function (p) { return p.id !== t.dataset.removePhoto; });
          await del("photos", t.dataset.removePhoto);
          await put("records", current);
          renderThumbs(form, current);
        }
      });
    });
    document.getElementById("sync").addEventListener("click", function () { syncAll(); });
    window.addEventListener("hashchange", render);
    window.addEventListener("online", function () {
      showNet();
      loadBootstrap().then(render).then(syncAll);
    });
    window.addEventListener("offline", showNet);
    setInterval(syncAll, 30000);
    // A send cut by closing the page is resumed: "sending" is retried.
    await render();
    root.dataset.ready = "1";
    syncAll();
  }

  start();
})();

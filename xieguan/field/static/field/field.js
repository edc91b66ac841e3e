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
      if (body && !(body instanceof FormData)) {
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
      : { date: localInput(new Date(), false), audience_count: "0", form: "lecture",
          area_id: boot && boot.user.area_id ? boot.user.area_id : "" };
    if (kind === "report" && boot && boot.report_categories.length) data.category = boot.report_categories[0].code;
    var rec = { id: uuid(), kind: kind, state: "draft", data: data, photos: [], created: false,
                detail: "", updated_at: now() };
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

  function endpoint(rec) { return rec.kind === "report" ? "/reports" : "/outreach"; }

  function refused(status) { return status >= 400 && status < 500 && status !== 408 && status !== 429; }

  async function attention(rec, r) {
    var detail = "";
    try { detail = (await r.json()).detail || ""; } catch (e) { detail = String(r.status); }
    rec.state = "attention";
    rec.detail = detail;
  }

  /* One record: create (idempotent on its UUID), then each photo not yet
     acknowledged (idempotent on its hash). A cut leaves it waiting. */
  async function send(rec) {
    rec.state = "sending";
    rec.detail = "";
    await put("records", rec);
    render();
    try {
      if (!rec.created) {
        // If-None-Match: a lost answer's retry must match what the server
        // holds; a record changed there since answers 409 (both kept).
        var r = await api("POST", endpoint(rec), payload(rec), { "If-None-Match": "*" });
        if (r.status === 409) {
          await attention(rec, r);
          rec.conflict = true;
          return put("records", rec);
        }
        if (r.status === 200 || r.status === 201) {
          rec.created = true;
          await put("records", rec);
        } else if (refused(r.status)) {
          await attention(rec, r);
          return put("records", rec);
        } else {
          throw new Error("server " + r.status);
        }
      }
      for (var i = 0; i < rec.photos.length; i++) {
        var p = rec.photos[i];
        if (p.sent) continue;
        var stored = await get("photos", p.id);
        if (!stored) { p.sent = true; continue; }
        var form = new FormData();
        form.append("image", stored.blob, p.id + ".jpg");
        var pr = await api("POST", endpoint(rec) + "/" + rec.id + "/photos", form);
        if (pr.status === 200 || pr.status === 201) {
          p.sent = true;
          p.sha256 = (await pr.json()).sha256;
          await put("records", rec);
        } else if (refused(pr.status)) {
          await attention(rec, pr);
          return put("records", rec);
        } else {
          throw new Error("server " + pr.status);
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

  async function syncAll() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      var job = async function () {
        var recs = await all("records");
        for (var i = 0; i < recs.length; i++) {
          // Read again: another tab may have sent it meanwhile.
          var rec = await get("records", recs[i].id);
          if (rec && (rec.state === "waiting" || rec.state === "sending")) await send(rec);
        }
      };
      // One sender at a time across tabs; the server is idempotent anyway.
      if (navigator.locks) await navigator.locks.request("xieguan-field-sync-" + USER, job);
      else await job();
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
    return (rec.kind === "report" ? d.content || d.place : d.theme || d.place) || "—";
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

  function fillSelects(form) {
    if (!boot) return;
    form.querySelectorAll("select[data-fill]").forEach(function (sel) {
      if (sel.dataset.filled) return;
      var rows = boot[sel.dataset.fill] || [];
      rows.forEach(function (row) {
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
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name) return;
      f.value = rec.data[f.name] !== undefined ? rec.data[f.name] : f.defaultValue;
      f.classList.remove("invalid");
      f.disabled = rec.created;
    });
    var err = form.querySelector("[data-error]");
    err.textContent = rec.detail || "";
    err.hidden = !rec.detail;
    form.querySelector("[data-conflict]").hidden = !rec.conflict;
    await renderThumbs(form, rec);
  }

  async function render() {
    var parts = location.hash.replace(/^#/, "").split("/");
    var kind = parts[0] === "report" || parts[0] === "outreach" ? parts[0] : "";
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== (kind || "home"); });
    if (kind) await renderForm(kind, parts[1]);
    else { current = null; await renderHome(); }
  }

  /* Every change is kept at once: a draft survives closing the browser. */
  async function saveField(event) {
    var f = event.target;
    if (!current || !f.name) return;
    current.data[f.name] = f.value;
    current.updated_at = now();
    f.classList.remove("invalid");
    await put("records", current);
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
    current.state = "waiting";
    current.detail = "";
    current.updated_at = now();
    await put("records", current);
    location.hash = "";
    syncAll();
  }

  /* A 409: the server's version stays as it is; the user either keeps it
     (the phone's copy is marked sent) or sends the phone's copy as a new
     record with a new UUID. */
  async function resolve(choice) {
    if (!current || !current.conflict) return;
    if (choice === "server") {
      current.state = "sent";
      current.created = true;
      current.photos.forEach(function (p) { p.sent = true; });
    } else {
      current.id = uuid();
      current.state = "waiting";
      current.created = false;
      current.photos.forEach(function (p) { p.sent = false; });
    }
    var old = location.hash.split("/")[1];
    current.conflict = false;
    current.detail = "";
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
      form.addEventListener("input", saveField);
      form.addEventListener("change", function (e) {
        if (e.target.matches("[data-photos]")) addPhotos(e); else saveField(e);
      });
      form.addEventListener("submit", submitRecord);
      form.addEventListener("click", async function (e) {
        var t = e.target;
        if (t.matches("[data-discard]")) discard();
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

// The phone's own store, IndexedDB with no library: "records" holds the
// outbox (drafts and what waits to be sent), "photos" the compressed photos
// and signatures as blobs, "kv" the token and the last bootstrap. One
// database per user, so two people on one phone never see each other's.
let db = null;

export function openOutbox(user) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("xieguan-field-" + user, 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("kv");
      d.createObjectStore("records", { keyPath: "id" });
      d.createObjectStore("photos", { keyPath: "id" });
    };
    req.onsuccess = () => { db = req.result; resolve(db); };
    req.onerror = () => reject(req.error);
  });
}

/* One request in its own transaction, settled when the transaction is. */
function run(store, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const req = fn(t.objectStore(store));
    t.oncomplete = () => resolve(req ? req.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export const get = (store, key) => run(store, "readonly", (s) => s.get(key));
export const all = (store) => run(store, "readonly", (s) => s.getAll());
export const put = (store, value, key) =>
  run(store, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const del = (store, key) => run(store, "readwrite", (s) => s.delete(key));

/* Every record and photo gets its UUID here, on the phone: the server keeps
   each once per UUID, so any send may be repeated. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const h = hex(b);
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (x) => (x + 256).toString(16).slice(1)).join("");
}

export const now = () => new Date().toISOString();

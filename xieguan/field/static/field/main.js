// The field app (SPEC §13): forms that work with no signal, drafts and an
// outbox in IndexedDB, photos shrunk on the phone, sent when the signal
// returns. This module starts it: the outbox list is shown from what the
// phone keeps before any request is made, then the rest is fetched.
import { app, root } from "./shell.js";
import { openOutbox } from "./outbox.js";
import { newRecord } from "./records.js";
import { loadBootstrap, loadKeptBootstrap, syncAll } from "./sync.js";
import { openAt, renderForm, wireForm } from "./forms.js";
import { renderHome } from "./home.js";

/* The view the address names: #report/<id>, #outreach/<id>,
   #inspection/<id>, #visit/<id>, or the home view; #<kind>/<id>/<field> opens the form
   at that field (the outbox's link to what the server refused). */
async function render() {
  const [name, id, field] = location.hash.replace(/^#/, "").split("/");
  const kind = ["report", "outreach", "inspection", "visit"].includes(name) ? name : "";
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== (kind || "home");
  if (kind) {
    await renderForm(kind, id);
    if (field) {
      openAt(document.querySelector("form[data-kind=" + kind + "]"), field);
      // Once: the next render (a send ending) leaves the scroll where it is.
      history.replaceState(null, "", "#" + kind + "/" + id);
    }
  } else { app.current = null; await renderHome(); }
}

function showNet() {
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? net.dataset.on : net.dataset.off;
  net.classList.toggle("off", !navigator.onLine);
}

async function start() {
  await openOutbox(root.dataset.user);
  showNet();
  await loadKeptBootstrap();
  // The first visit has nothing kept, and the forms need the units and
  // categories: wait for them once. Later starts show what is kept first.
  const fresh = !app.boot;
  if (fresh) await loadBootstrap();
  for (const b of document.querySelectorAll("[data-new]")) b.addEventListener("click", () => newRecord(b.dataset.new));
  for (const form of document.querySelectorAll("form.record")) wireForm(form);
  document.getElementById("sync").addEventListener("click", () => syncAll(true));
  root.addEventListener("outbox-changed", render);
  window.addEventListener("hashchange", render);
  window.addEventListener("online", () => {
    showNet();
    loadBootstrap().then(render).then(syncAll);
  });
  window.addEventListener("offline", showNet);
  setInterval(syncAll, 30000);
  await render();
  root.dataset.ready = "1";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(() => {});
  }
  // A send cut by closing the page is resumed: "sending" is retried.
  if (!fresh && navigator.onLine) await loadBootstrap().then(render);
  syncAll();
}

start();

// What every part of the field app shares: the page's root and its words
// (translated on the server, read from #labels), what was loaded from the
// server (boot) and the record open in a form (current).
export const root = document.getElementById("field");
export const labels = document.getElementById("labels").dataset;
export const app = { boot: null, current: null };

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/* Something in the outbox changed (a send started or ended): main.js
   renders the page again. */
export function changed() {
  root.dispatchEvent(new Event("outbox-changed"));
}

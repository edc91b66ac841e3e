// Inspection pages: a GPS fix into the form, signature boxes drawn with a
// finger, both with the modules the field app uses. No inline scripts: the
// CSP allows only files served by the app.
import { fillPosition, locate } from "../core/geo.js";
import { signaturePad } from "../core/signature.js";

for (const form of document.querySelectorAll("form[data-gps]")) {
  const button = form.querySelector("[data-gps-button]");
  const status = form.querySelector("[data-gps-status]");
  if (!button) continue;
  button.addEventListener("click", async () => {
    status.textContent = "…";
    const position = await locate();
    if (position) fillPosition(form, position);
    status.textContent = position ? "±" + Math.round(Number(position.accuracy_m)) + " m" : button.dataset.none;
  });
  const device = form.elements.namedItem("device_time");
  if (device) {
    const now = new Date();
    // The phone's own clock, in local time, as the form's field expects it.
    device.value = new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
  }
}

for (const form of document.querySelectorAll("form.sign-form")) {
  const pad = signaturePad(form.querySelector("canvas.sigpad"));
  form.querySelector("[data-sig-clear]").addEventListener("click", () => pad.clear());
  form.addEventListener("submit", () => {
    if (pad.drawn) form.elements.namedItem("data_url").value = pad.toDataURL();
  });
}

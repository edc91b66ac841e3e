// Optional GPS for a report, with the capture the inspection pages and the
// field app use: refusing or failing leaves the report without a position.
import { fillPosition, locate } from "../core/geo.js";

const button = document.querySelector("[data-geolocate]");
if (button) {
  const status = document.querySelector("[data-geo-status]");
  if (button.form.elements.namedItem("latitude").value) status.textContent = button.dataset.ok;
  if (!("geolocation" in navigator)) button.hidden = true;
  button.addEventListener("click", async () => {
    status.textContent = button.dataset.wait;
    const position = await locate();
    if (position) fillPosition(button.form, position);
    status.textContent = position
      ? button.dataset.ok + " (" + position.latitude + ", " + position.longitude + ")"
      : button.dataset.fail;
  });
}

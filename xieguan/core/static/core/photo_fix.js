// The GPS fix a photo upload carries (a report's, a publicity record's),
// with the capture of core/geo.js: asked for when a photo is chosen and put
// in the form's hidden latitude / longitude / accuracy_m, to be stamped on
// the photo with the time and place. No position leaves them empty; the
// photo is still kept (stamped 无定位).
import { fillPosition, locate } from "./geo.js";

for (const form of document.querySelectorAll("form[data-photo-fix]")) {
  const image = form.elements.namedItem("image");
  if (!image) continue;
  let pending = null;
  image.addEventListener("change", () => {
    pending = locate().then((position) => { if (position) fillPosition(form, position); pending = null; });
  });
  form.addEventListener("submit", (event) => {
    if (!pending) return;
    event.preventDefault();
    pending.then(() => form.submit());
  });
}

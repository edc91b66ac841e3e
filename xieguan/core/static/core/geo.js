// The one GPS capture, for every page that records where it was made: the
// field app's inspection form, the desktop inspection pages and the report
// form. A position is never required: no GPS, a refusal or a timeout give
// null, and the record is kept without one.
const OPTIONS = { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 };

/* The device's position as the forms keep it: degrees to six places (about
   0.1 m) and the accuracy in metres to one place, all as text; or null. */
export function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((pos) => resolve({
      latitude: pos.coords.latitude.toFixed(6),
      longitude: pos.coords.longitude.toFixed(6),
      accuracy_m: String(Math.round(pos.coords.accuracy * 10) / 10),
    }), () => resolve(null), OPTIONS);
  });
}

/* A position into the form's inputs of the same names (those it has), as if
   typed: a change event lets an autosave see it. */
export function fillPosition(form, position) {
  for (const name of Object.keys(position)) {
    const input = form.elements.namedItem(name);
    if (!input) continue;
    input.value = position[name];
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

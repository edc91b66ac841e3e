// Optional GPS for a report: the browser's geolocation fills two hidden
// fields; refusing or failing leaves the report without a position.
(function () {
  "use strict";
  function setup() {
    var button = document.querySelector("[data-geolocate]");
    if (!button) { return; }
    var status = document.querySelector("[data-geo-status]");
    var lat = document.getElementById("id_latitude");
    var lng = document.getElementById("id_longitude");
    if (lat && lat.value && status) { status.textContent = button.getAttribute("data-ok"); }
    if (!("geolocation" in navigator)) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      if (status) { status.textContent = button.getAttribute("data-wait"); }
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        if (status) { status.textContent = button.getAttribute("data-ok") + " (" + lat.value + ", " + lng.value + ")"; }
      }, function () {
        if (status) { status.textContent = button.getAttribute("data-fail"); }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

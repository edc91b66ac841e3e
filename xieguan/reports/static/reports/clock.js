// Report clocks: the server renders the remaining time; this keeps it
// ticking against the server's clock (not the phone's, which may be wrong)
// and turns a clock red once the limit has passed. No inline script: CSP.
(function () {
  "use strict";
  var offset = null;

  function label(el, seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var time = hours
      ? el.getAttribute("data-fmt-hm").replace("%(h)d", hours).replace("%(m)d", rest)
      : el.getAttribute("data-fmt-m").replace("%(m)d", rest);
    var fmt = seconds >= 0 ? el.getAttribute("data-fmt-left") : el.getAttribute("data-fmt-late");
    return fmt.replace("%(time)s", time);
  }

  function tick() {
    var clocks = document.querySelectorAll("[data-deadline]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      if (offset === null) {
        var serverNow = Date.parse(el.getAttribute("data-server-now"));
        offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
      }
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) { continue; }
      var seconds = Math.floor((deadline - (Date.now() + offset)) / 1000);
      var text = el.querySelector("[data-clock-text]");
      if (text) { text.textContent = label(el, seconds); }
      if (seconds < 0) {
        el.classList.remove("badge-warn");
        el.classList.add("badge-danger");
      }
    }
  }

  function start() {
    tick();
    window.setInterval(tick, 20000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

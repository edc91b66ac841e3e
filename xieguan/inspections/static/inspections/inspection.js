// Inspection pages: GPS fix into the form, signature boxes drawn with a
// finger. No inline scripts: the CSP allows only files served by the app.
(function () {
  "use strict";

  function gps(form) {
    var button = form.querySelector("[data-gps-button]");
    var status = form.querySelector("[data-gps-status]");
    if (!button) { return; }
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = button.getAttribute("data-none") || "×";
        return;
      }
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var set = function (name, value) {
          var input = form.querySelector("[name=" + name + "]");
          if (input) {
            input.value = value;
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
        };
        set("latitude", pos.coords.latitude.toFixed(6));
        set("longitude", pos.coords.longitude.toFixed(6));
        set("accuracy_m", Math.round(pos.coords.accuracy));
        status.textContent = "±" + Math.round(pos.coords.accuracy) + " m";
      }, function (err) {
        status.textContent = err.message;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
    var device = form.querySelector("[name=device_time]");
    if (device) {
      var now = new Date();
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      device.value = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
        "T" + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    }
  }

  function pad(form) {
    var canvas = form.querySelector("canvas.sigpad");
    if (!canvas) { return; }
    canvas.style.border = "1px solid #888";
    canvas.style.background = "#fff";
    canvas.style.touchAction = "none";
    canvas.style.maxWidth = "100%";
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#000";
    var drawing = false;
    var drawn = false;
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
    });
    var stop = function () { drawing = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointerleave", stop);
    var clear = form.querySelector("[data-sig-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
      });
    }
    form.addEventListener("submit", function () {
      if (drawn) {
        // White background so the PNG reads on paper too.
        var copy = document.createElement("canvas");
        copy.width = canvas.width;
        copy.height = canvas.height;
        var c = copy.getContext("2d");
        c.fillStyle = "#fff";
        c.fillRect(0, 0, copy.width, copy.height);
        c.drawImage(canvas, 0, 0);
        form.querySelector("[name=data_url]").value = copy.toDataURL("image/png");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-gps]").forEach(gps);
    document.querySelectorAll("form.sign-form").forEach(pad);
  });
})();

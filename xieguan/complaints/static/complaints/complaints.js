// The complaint forms: contact fields shown only when the person chooses not
// to stay anonymous. Without JavaScript every field simply stays visible.
(function () {
  "use strict";
  function sync() {
    var box = document.getElementById("id_is_anonymous");
    var contact = document.querySelector("[data-contact]");
    if (!box || !contact) { return; }
    contact.hidden = box.checked;
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_is_anonymous") { sync(); }
  });
  document.addEventListener("DOMContentLoaded", sync);
})();

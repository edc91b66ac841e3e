// Small behaviours for the server-rendered pages. No inline scripts anywhere:
// the CSP allows only files served by the app itself.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
  // A form (or the button that sent it: "submit and lock" beside "save
  // draft") may ask first, before anything that cannot be undone.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Enter in a search box searches now and does not submit the form around
  // it. (An htmx trigger filter such as keydown[key=='Enter'] would need
  // eval, which the CSP and htmx.config.allowEval=false refuse.)
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key === "Enter" && el && el.matches && el.matches("[data-search-on-enter]") && window.htmx) {
      event.preventDefault();
      window.htmx.trigger(el, "search");
    }
  });
  // A failed htmx request keeps the page (and what was typed) as it is and
  // says so, instead of swapping in an error page.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (box) { box.hidden = false; }
  });
})();

// Demo Roasters: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  // One submit per store form (marked data-once; other forms on the page
  // are left alone): a double click must not place two orders.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) {
      return;
    }
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
  });
  // Pages restored from the back-forward cache get their buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once][data-submitting=true]").forEach(function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = false;
      }
    });
  });
})();

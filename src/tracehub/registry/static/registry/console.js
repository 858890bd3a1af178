// The registry console's small behaviours (no inline script: the CSP forbids it, docs/pages.md).
// Every page works without this file; it only saves taps on a phone.
(function () {
  "use strict";

  // Registration: show the identity fields of the chosen kind only (credit code, ID card number,
  // or country and foreign registration). Fields carry data-shown-for="id_kind=<kind>".
  function syncShownFor(root) {
    root.querySelectorAll("[data-shown-for]").forEach(function (input) {
      var rule = input.getAttribute("data-shown-for").split("=");
      var chosen = document.querySelector('input[name="' + rule[0] + '"]:checked');
      var field = input.closest(".field");
      if (field && chosen) {
        field.hidden = chosen.value !== rule[1];
      }
    });
  }

  // Copy buttons (the API key shown once): visible only where the clipboard can be used.
  function wireCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (source) {
          navigator.clipboard.writeText(source.textContent.trim()).then(function () {
            button.classList.add("copied");
          });
        }
      });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches('input[type="radio"]')) {
      syncShownFor(document);
    }
  });

  // Forms that undo something ask first (revoking a key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A confirmation loaded by htmx into the page: put the cursor in its reason field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var field = event.target.querySelector("textarea, input:not([type=hidden])");
    if (field && event.target.id === "filing-action") {
      field.focus();
      event.target.scrollIntoView({ block: "nearest" });
    }
  });

  function ready() {
    syncShownFor(document);
    wireCopy(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

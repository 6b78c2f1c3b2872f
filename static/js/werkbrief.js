/* The werkbrief page: nothing typed is lost.
 *
 * - Leaving the page with hours typed but not saved asks first (beforeunload). Hours shown after
 *   a refused save (an error, or someone else saving in between) are not saved either.
 * - Expenses and comments are sent without reloading the page (htmx), so typed hours stay in
 *   their fields. Such a change moves the werkbrief to a new version; the server says which
 *   (the "werkbrief-version" event, from -> to) and every form that saw the old version is
 *   brought along, so saving the hours afterwards is not mistaken for someone else's change.
 * - A form with data-confirm asks before it is sent (removing an expense).
 */
(function () {
  "use strict";

  var hoursForm = document.getElementById("hours-form");
  var leaving = false;

  function changed(element) {
    if (element.type === "hidden" || element.type === "submit" || element.type === "button") {
      return false;
    }
    if (element.tagName === "SELECT") {
      return Array.prototype.some.call(element.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    if (element.type === "checkbox" || element.type === "radio") {
      return element.checked !== element.defaultChecked;
    }
    return "defaultValue" in element && element.value !== element.defaultValue;
  }

  function hasUnsavedHours() {
    if (!hoursForm) {
      return false;
    }
    return hoursForm.hasAttribute("data-unsaved") || Array.prototype.some.call(hoursForm.elements, changed);
  }

  if (hoursForm) {
    hoursForm.addEventListener("submit", function () {
      leaving = true;
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (!leaving && hasUnsavedHours()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A page shown again from the back/forward cache starts over.
  window.addEventListener("pageshow", function () {
    leaving = false;
  });

  document.addEventListener("werkbrief-version", function (event) {
    var from = String(event.detail.from);
    var to = String(event.detail.to);
    document.querySelectorAll('input[name="version"]').forEach(function (input) {
      if (input.value === from) {
        input.value = to;
        input.defaultValue = to;
      }
    });
  });

  // Capture phase: runs before htmx sees the submit, and stops it when the answer is no.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();

// Slotwise's own small behaviours (no inline scripts: the Content-Security-Policy allows only files from here).
(function () {
  "use strict";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function guessZones(root) {
    // Sign-up: a time zone field still at "UTC" takes the browser's zone.
    root.querySelectorAll("input[data-guess-timezone]").forEach(function (field) {
      var zone = browserZone();
      if (field.value === "UTC" && zone) { field.value = zone; }
    });
    // Booking page: the visitor's own zone, when the browser knows it and the list has it.
    root.querySelectorAll("select[data-visitor-zone]").forEach(function (select) {
      var zone = browserZone();
      if (zone && Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
        select.value = zone;
      }
    });
  }

  // Deferred, this runs once the page is parsed and before htmx processes it (on DOMContentLoaded),
  // so the booking month's first request already carries the visitor's zone.
  guessZones(document);

  document.addEventListener("change", function (event) {
    // Another zone on the booking page: the times shown for a day are no longer right.
    var target = event.target;
    if (target.matches && target.matches("select[data-visitor-zone]")) {
      var slots = document.getElementById(target.getAttribute("data-clears") || "slots");
      if (slots) { slots.innerHTML = ""; }
    }
  });

  document.addEventListener("click", function (event) {
    // Booking month: the day whose times are shown is marked.
    var day = event.target.closest && event.target.closest("button.booking-day");
    if (!day) { return; }
    document.querySelectorAll(".booking-day.is-selected").forEach(function (b) { b.classList.remove("is-selected"); });
    day.classList.add("is-selected");
  });
})();

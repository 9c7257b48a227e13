// The booking page: start in the visitor's own time zone, when the browser knows it and the list has it.
// Loaded with `defer`: it runs once the page is parsed and before htmx loads the month (on DOMContentLoaded).
(function () {
  var select = document.getElementById("tz");
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (select && zone && Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
    select.value = zone;
  }
})();

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
  // Calendar colours and the week's item positions come as data attributes (the CSP allows no style
  // attributes); setting them through the CSSOM is allowed.
  var HEX = /^#[0-9a-fA-F]{3,8}$/;
  var keptScroll = null;

  function paint(root) {
    root.querySelectorAll("[data-color]").forEach(function (el) {
      var color = el.getAttribute("data-color");
      if (!HEX.test(color)) { return; }
      if (el.classList.contains("swatch")) { el.style.background = color; }
      else { el.style.setProperty("--item-color", color); }
    });
    root.querySelectorAll(".cal-item[data-top], .cal-travel[data-top]").forEach(function (el) {
      var lanes = Number(el.getAttribute("data-lanes")) || 1, lane = Number(el.getAttribute("data-lane")) || 0;
      el.style.top = "calc(var(--hour) * " + Number(el.getAttribute("data-top")) + ")";
      el.style.height = "calc(var(--hour) * " + Number(el.getAttribute("data-height")) + ")";
      el.style.left = (100 * lane / lanes) + "%";
      el.style.width = (100 / lanes) + "%";
    });
  }

  function wallClock(zone) {
    // minutes after midnight and the date (YYYY-MM-DD) now, in the calendar owner's zone
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date())
      .forEach(function (p) { parts[p.type] = p.value; });
    return {date: parts.year + "-" + parts.month + "-" + parts.day, minutes: Number(parts.hour) * 60 + Number(parts.minute)};
  }

  function markNow(week) {
    var now;
    try { now = wallClock(week.getAttribute("data-timezone")); } catch (e) { return; }
    week.querySelectorAll(".cal-now").forEach(function (line) { line.remove(); });
    var day = week.querySelector('.cal-day[data-date="' + now.date + '"]');
    if (!day) { return; }
    var line = document.createElement("div");
    line.className = "cal-now";
    line.setAttribute("aria-hidden", "true");
    line.style.top = "calc(var(--hour) * " + (now.minutes / 60) + ")";
    day.appendChild(line);
  }

  function openWeek(week) {
    var scroller = week.querySelector(".cal-scroll"), hour = week.querySelector(".cal-hour");
    if (!scroller || !hour) { return; }
    scroller.scrollTop = keptScroll !== null ? keptScroll
      : hour.getBoundingClientRect().height * Number(week.getAttribute("data-opens-at") || 8);
    keptScroll = null;
    var today = week.querySelector(".cal-dayhead.is-today");
    if (today && window.matchMedia("(max-width: 720px)").matches) {  // day view on a phone: today first
      scroller.scrollLeft = today.offsetLeft - week.querySelector(".cal-hours").offsetWidth;
    }
    markNow(week);
  }

  function wire(root) {
    paint(root);
    var week = root.id === "week" ? root : root.querySelector && root.querySelector("#week");
    if (week) { openWeek(week); }
  }

  document.addEventListener("click", function (event) {
    // Week view: a click on free time (not on an item) asks "why is this time busy?" for that quarter hour;
    // keyboard users reach the same through the form in the side panel.
    var day = event.target.classList && event.target.classList.contains("cal-day") ? event.target : null;
    var week = day && day.closest("#week");
    if (!week || !window.htmx) { return; }
    var rect = day.getBoundingClientRect();
    var quarter = Math.max(0, Math.min(95, Math.floor((event.clientY - rect.top) / rect.height * 96)));
    var hh = ("0" + Math.floor(quarter / 4)).slice(-2), mm = ("0" + (quarter % 4) * 15).slice(-2);
    window.htmx.ajax("GET", week.getAttribute("data-explain-url") + "?date=" + day.getAttribute("data-date")
      + "&time=" + hh + ":" + mm, {target: "#details"});
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // a reload of the same week (calendar-changed) keeps where the owner had scrolled to
    var target = event.detail.target;
    if (target && target.id === "week") {
      var scroller = target.querySelector(".cal-scroll");
      keptScroll = scroller ? scroller.scrollTop : null;
    }
  });
  document.addEventListener("htmx:load", function (event) { wire(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document.body); });
  } else {
    wire(document.body);
  }
  setInterval(function () { var week = document.getElementById("week"); if (week) { markNow(week); } }, 60000);
})();

// Garrison console: live SLA countdowns on the incident pages. Loaded as a file (the CSP allows
// no inline script). Each countdown carries data-due and data-warn (UTC, ISO 8601); the page's
// [data-server-now] gives the server's time at render, so a wrong clock on this computer does
// not shift the countdowns. The words come from <script type="application/json"
// id="countdown-text">; the format matches the server's first render (views/incidents.py).
"use strict";
(function () {
  var offset = 0;
  var words = null;

  function configure() {
    var source = document.getElementById("countdown-text");
    if (source) { words = JSON.parse(source.textContent); }
    var anchors = document.querySelectorAll("[data-server-now]");
    var anchor = anchors[anchors.length - 1];
    if (anchor) {
      var server = Date.parse(anchor.getAttribute("data-server-now"));
      if (!isNaN(server)) { offset = server - Date.now(); }
    }
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function clockText(ms) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(total / 86400);
    var rest = total % 86400;
    var hours = Math.floor(rest / 3600);
    rest %= 3600;
    var minutes = Math.floor(rest / 60);
    var secs = rest % 60;
    if (days) {
      return words.day.replace("{n}", String(days)) + " " + pad(hours) + ":" + pad(minutes) + ":" + pad(secs);
    }
    if (hours) { return hours + ":" + pad(minutes) + ":" + pad(secs); }
    return pad(minutes) + ":" + pad(secs);
  }

  function tick() {
    if (!words) { return; }
    var now = Date.now() + offset;
    document.querySelectorAll("[data-due]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      var warn = Date.parse(node.getAttribute("data-warn"));
      if (isNaN(due)) { return; }
      var left = due - now;
      var state = left <= 0 ? "breached" : (!isNaN(warn) && now >= warn ? "warning" : "running");
      var text = (left > 0 ? words.left : words.over).replace("{time}", clockText(left));
      if (node.textContent !== text) { node.textContent = text; }
      var box = node.closest("[data-state]");
      if (box && box.getAttribute("data-state") !== state) {
        box.setAttribute("data-state", state);
        var label = box.querySelector("[data-state-label]");
        if (label && words[state]) { label.textContent = words[state]; }
      }
    });
    // Tasks past due and not done turn red while the page is open.
    document.querySelectorAll("[data-overdue-at]").forEach(function (node) {
      var at = Date.parse(node.getAttribute("data-overdue-at"));
      if (!isNaN(at) && now >= at) { node.classList.add("overdue"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    configure();
    tick();
    // Always running: an in-place action may bring clocks the first render did not have.
    window.setInterval(tick, 1000);
    // An in-place action swaps the page body, with the server's time of that answer.
    document.body.addEventListener("htmx:afterSettle", function () { configure(); tick(); });
  });
})();

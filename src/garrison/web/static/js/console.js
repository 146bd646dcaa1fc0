// Garrison console: charts (ECharts) and small behaviours. Loaded as a file: the CSP allows no
// inline script. Chart data comes from <script type="application/json" id="chart-data">.
"use strict";
(function () {
  var LEVEL_COLOURS = {
    informational: "#94a3b8",
    low: "#38bdf8",
    medium: "#f59e0b",
    high: "#f97316",
    critical: "#dc2626",
    unknown: "#cbd5e1",
  };
  var AXIS = { axisLine: { lineStyle: { color: "#cbd5e1" } }, axisLabel: { color: "#64748b" } };
  var GRID = { left: 48, right: 16, top: 24, bottom: 32, containLabel: true };
  // Tooltips drawn on the canvas: HTML tooltips would need inline styles, which the CSP forbids.
  var TOOLTIP = { trigger: "axis", renderMode: "richText" };

  function options(kind, data) {
    if (kind === "events") {
      return {
        grid: GRID, tooltip: TOOLTIP,
        xAxis: Object.assign({ type: "category", data: data.labels }, AXIS),
        yAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
        series: [{ name: data.text.events, type: "bar", data: data.events, itemStyle: { color: "#2563eb" }, barMaxWidth: 28 }],
      };
    }
    if (kind === "alerts") {
      return {
        grid: GRID, tooltip: TOOLTIP,
        legend: { top: 0, textStyle: { color: "#475569" } },
        xAxis: Object.assign({ type: "category", data: data.labels }, AXIS),
        yAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
        series: data.alerts.map(function (s) {
          return { name: s.name, type: "bar", stack: "alerts", data: s.data, barMaxWidth: 28, itemStyle: { color: LEVEL_COLOURS[s.level] || "#64748b" } };
        }),
      };
    }
    if (kind === "levels") {
      return {
        tooltip: { trigger: "item", renderMode: "richText" },
        legend: { bottom: 0, textStyle: { color: "#475569" } },
        series: [{
          type: "pie", radius: ["45%", "70%"], center: ["50%", "45%"], label: { formatter: "{c}" },
          data: data.levels.map(function (l) { return { name: l.name, value: l.value, itemStyle: { color: LEVEL_COLOURS[l.level] || "#64748b" } }; }),
        }],
      };
    }
    if (kind === "top_rules") {
      var rows = data.top_rules.slice().reverse();
      return {
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "item", renderMode: "richText" },
        xAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
        yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.name; }) },
          { axisLabel: { color: "#334155", width: 180, overflow: "truncate" }, axisLine: AXIS.axisLine }),
        series: [{ name: data.text.alerts, type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#f97316" }, barMaxWidth: 18 }],
      };
    }
    return null;
  }

  function drawCharts() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(options(node.getAttribute("data-chart"), data));
      node.setAttribute("data-ready", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function toast(text, kind) {
    var box = document.getElementById("toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "toast";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.className = "toast show " + (kind || "");
    window.clearTimeout(box._timer);
    box._timer = window.setTimeout(function () { box.className = "toast"; }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    // Dialogs: a button with data-open="<dialog id>" opens it; data-close closes its dialog.
    document.addEventListener("click", function (event) {
      var opener = event.target.closest("[data-open]");
      if (opener) {
        var dialog = document.getElementById(opener.getAttribute("data-open"));
        if (dialog) {
          var alertId = opener.getAttribute("data-alert");
          var form = dialog.querySelector("form[data-action]");
          if (form && alertId) {
            form.setAttribute("data-alert", alertId);
            form.setAttribute("hx-target", "#alert-" + alertId);
          }
          dialog.showModal();
        }
      }
      var closer = event.target.closest("[data-close]");
      if (closer) { closer.closest("dialog").close(); }
    });
    // Dialog forms serve every row: the row's id goes into the path when the request is made.
    document.body.addEventListener("htmx:configRequest", function (event) {
      var form = event.detail.elt;
      var action = form.getAttribute && form.getAttribute("data-action");
      if (action && form.getAttribute("data-alert")) {
        event.detail.path = action.replace("{id}", form.getAttribute("data-alert"));
      }
    });
    document.body.addEventListener("htmx:responseError", function (event) {
      toast(event.detail.xhr.responseText || "Error", "error");
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail.elt;
      if (event.detail.successful && form.tagName === "FORM" && form.closest("dialog")) {
        form.closest("dialog").close();
        form.reset();
      }
      var message = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Garrison-Message");
      if (event.detail.successful && message) { toast(decodeURIComponent(message), "ok"); }
    });
  });
})();

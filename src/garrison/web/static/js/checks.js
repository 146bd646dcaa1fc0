// Garrison console, compliance pages: score charts (ECharts), the target chooser and the
// "Scan now" buttons. Loaded as a file: the CSP allows no inline script. Chart numbers come
// from <script type="application/json" id="checks-chart-data">, which the browser does not run.
"use strict";
(function () {
  var AXIS = { axisLine: { lineStyle: { color: "#cbd5e1" } }, axisLabel: { color: "#64748b" } };
  var GRID = { left: 16, right: 48, top: 24, bottom: 16, containLabel: true };
  // Tooltips drawn on the canvas: HTML tooltips would need inline styles, which the CSP forbids.
  var TOOLTIP = { trigger: "axis", renderMode: "richText" };

  // The colours of the score classes in checks.css: good from 90, fair from 70, poor below.
  function colour(score) {
    if (score === null || score === undefined) { return "#cbd5e1"; }
    if (score >= 90) { return "#16a34a"; }
    if (score >= 70) { return "#d97706"; }
    return "#dc2626";
  }

  function bars(values) {
    return values.map(function (v) { return { value: v, itemStyle: { color: colour(v) } }; });
  }

  function options(kind, data) {
    // Framework and family names are long: horizontal bars, names on the left, top first.
    if (kind === "frameworks" || kind === "families") {
      var source = data[kind];
      var names = source.names.slice().reverse();
      var values = source.scores.slice().reverse();
      return {
        grid: GRID, tooltip: TOOLTIP,
        xAxis: Object.assign({ type: "value", min: 0, max: 100 }, AXIS),
        yAxis: Object.assign({ type: "category", data: names },
          { axisLabel: { color: "#334155", width: 200, overflow: "truncate" }, axisLine: AXIS.axisLine }),
        series: [{ name: data.text.score, type: "bar", data: bars(values), barMaxWidth: 22,
          label: { show: true, position: "right", color: "#334155",
            formatter: function (p) { return p.value === null || p.value === undefined ? "—" : p.value.toFixed(1); } } }],
      };
    }
    if (kind === "history") {
      return {
        grid: GRID, tooltip: TOOLTIP,
        xAxis: Object.assign({ type: "category", data: data.history.labels, boundaryGap: false }, AXIS),
        yAxis: Object.assign({ type: "value", min: 0, max: 100 }, AXIS),
        series: [{ name: data.text.dengbao || data.text.score, type: "line", data: data.history.scores,
          connectNulls: false, showSymbol: true, symbol: "circle", symbolSize: 7, lineStyle: { color: "#2563eb", width: 2 }, itemStyle: { color: "#2563eb" },
          areaStyle: { color: "rgba(37, 99, 235, 0.08)" } }],
      };
    }
    return null;
  }

  function drawCharts() {
    var source = document.getElementById("checks-chart-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-checks-chart]").forEach(function (node) {
      var chosen = options(node.getAttribute("data-checks-chart"), data);
      if (!chosen) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(chosen);
      node.setAttribute("data-ready", "true");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    // The target chooser shows the chosen target at once (the button stays for no-JS use).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // A scan takes a while: the button says so and cannot be pressed twice.
    document.querySelectorAll("form.scan-now").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[data-busy]");
        if (button) {
          button.textContent = button.getAttribute("data-busy");
          window.setTimeout(function () { button.disabled = true; }, 0);
        }
      });
    });
  });
})();

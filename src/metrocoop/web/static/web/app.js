// Draws every chart on the page from the ECharts option the server rendered into a JSON script tag:
// <div data-chart="ID"></div> + <script id="ID" type="application/json">{...}</script>.
(function () {
  "use strict";
  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var chart = echarts.init(el, null, { renderer: el.dataset.renderer || "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { draw(evt.target); });
})();

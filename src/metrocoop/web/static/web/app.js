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
      el.dataset.drawn = "pending";
      var option = numberFormats(JSON.parse(source.textContent));
      label(el, option);
      withMap(option, el.dataset.mapUrl, function () {
        var chart = echarts.init(el, null, { renderer: el.dataset.renderer || "canvas" });
        chart.setOption(option);
        el.dataset.drawn = "1";
        window.addEventListener("resize", function () { chart.resize(); });
        el.dispatchEvent(new CustomEvent("mc:chart-ready", { bubbles: true, detail: { chart: chart } }));
      });
    });
  }
  // A chart is an image to assistive technology: role="img" and a name (the page's own label, else the chart's title,
  // else its series' names), unless the template gave them.
  function label(el, option) {
    if (!el.hasAttribute("role")) { el.setAttribute("role", "img"); }
    if (el.hasAttribute("aria-label")) { return; }
    var title = [].concat(option.title || [])[0];
    var names = [].concat(option.series || []).map(function (s) { return s.name; }).filter(Boolean);
    var text = (title && title.text) || names.join(", ");
    if (text) { el.setAttribute("aria-label", text); }
  }
  // core/charts.py marks its options with _mc: {decimals}: tooltips and value axes then show figures with the page
  // language's digit grouping (12,345.67) instead of raw floats. ECharts options are JSON, so functions are added here.
  function numberFormats(option) {
    var meta = option._mc;
    delete option._mc;
    if (!meta || meta.decimals === undefined || typeof Intl === "undefined") { return option; }
    var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: meta.decimals });
    var format = function (v) { return (v === null || v === undefined || v === "" || isNaN(v)) ? "—" : fmt.format(v); };
    if (option.tooltip && !option.tooltip.formatter && !option.tooltip.valueFormatter) { option.tooltip.valueFormatter = format; }
    [].concat(option.yAxis || []).forEach(function (axis) {
      if (axis.type === "value") { axis.axisLabel = Object.assign({ formatter: format }, axis.axisLabel || {}); }
    });
    return option;
  }
  // A chart on a map (option.geo.map or a map series, e.g. the member cities' boundaries) draws once that map's GeoJSON is
  // registered: fetched from the element's data-map-url (served from our static files, never a CDN), once.
  var maps = {};
  function withMap(option, url, then) {
    var geo = Array.isArray(option.geo) ? option.geo[0] : option.geo;
    var series = [].concat(option.series || []).find(function (s) { return s.type === "map"; });
    var name = (geo && geo.map) || (series && series.map);
    if (!name || !url || echarts.getMap(name)) { then(); return; }
    if (!maps[name]) {
      maps[name] = fetch(url).then(function (r) { return r.json(); }).then(function (geojson) {
        echarts.registerMap(name, geojson);
      });
    }
    maps[name].then(then);
  }
  // Behaviour without inline handlers (the Content-Security-Policy allows scripts from our origin only):
  // <select data-autosubmit> submits its form when changed; <button data-confirm="…"> or <form data-confirm="…">
  // asks before an irreversible action.
  document.addEventListener("change", function (evt) {
    var el = evt.target.closest && evt.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); }
  });
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest && evt.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) { evt.preventDefault(); evt.stopImmediatePropagation(); }
  }, true);
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { evt.preventDefault(); }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { draw(evt.target); });
})();

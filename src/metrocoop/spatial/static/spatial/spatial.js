// The spatial map page: a click on a conflict (in the list or on the map) highlights it on the map and in the list.
(function () {
  "use strict";
  var el = document.querySelector('[data-chart="spatial-map"]');
  if (!el) { return; }
  function highlight(chart, id) {
    var option = chart.getOption();
    var series = option.series.find(function (s) { return s.id === "conflicts"; });
    var item = series && series.data.find(function (d) { return String(d.conflictId) === String(id); });
    if (!item) { return; }
    var marks = [{ name: item.name, value: item.value }];
    if (item.to) { marks.push({ name: item.name, value: item.to }); }
    chart.setOption({ series: [{ id: "conflict-highlight", data: marks }] });
    chart.dispatchAction({ type: "showTip", seriesId: "conflicts", dataIndex: series.data.indexOf(item) });
    el.dataset.highlighted = String(id);
    document.querySelectorAll("[data-conflict-row]").forEach(function (row) {
      row.classList.toggle("table-danger", row.dataset.conflictRow === String(id));
    });
  }
  el.addEventListener("mc:chart-ready", function (evt) {
    var chart = evt.detail.chart;
    chart.on("click", function (params) {
      if (params.seriesId === "conflicts" && params.data) { highlight(chart, params.data.conflictId); }
    });
    document.querySelectorAll("[data-conflict]").forEach(function (button) {
      button.addEventListener("click", function () { highlight(chart, button.dataset.conflict); });
    });
  });
})();

// The overview's bar chart: one indicator by township (or county), drawn
// from the JSON the page carries (json_script), so no inline script is
// needed. Without JavaScript the table above says the same.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("overview-chart");
    var source = document.getElementById("overview-chart-data");
    if (!box || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    box.style.height = (data.names.length * 28 + 40) + "px";
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      // The tooltip writes inline styles, which the CSP refuses: the
      // figures are printed on the bars instead.
      tooltip: { show: false },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.names },
      series: [{
        type: "bar",
        data: data.values,
        label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
        itemStyle: { color: "#0b6e4f" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

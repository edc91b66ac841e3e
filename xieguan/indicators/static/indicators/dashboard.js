// The dashboard's charts: the 12-month trend and the ranking from the JSON
// the page carries (json_script), and the map of units fetched as compact
// arrays ([lng, lat, state, id, name]) — an ECharts scatter on the area's
// uploaded boundary when there is one, on a plain background otherwise.
// No inline script (the CSP refuses it), nothing loaded from outside.
(function () {
  "use strict";
  var COLOURS = ["#c0392b", "#e67e22", "#8e44ad", "#2e8b57"];
  var TEXT = null; // the page's words (json_script "map-text"): the states, the note under the map

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function trend() {
    var box = document.getElementById("trend-chart");
    var d = data("trend-data");
    if (!box || !d) { return; }
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { show: false },
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "line", name: d.name, data: d.values, connectNulls: false,
                 label: { show: true, formatter: function (p) { return p.value === null ? "" : p.value + "%"; } },
                 itemStyle: { color: "#0b6e4f" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function ranking() {
    var box = document.getElementById("rank-chart");
    var d = data("rank-data");
    if (!box || !d || !d.names.length) { return; }
    box.style.height = (d.names.length * 26 + 40) + "px";
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      tooltip: { show: false },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: d.names },
      series: [{
        type: "bar",
        data: d.values.map(function (v, i) {
          return { value: v, itemStyle: { color: d.marked[i] ? "#d35400" : "#0b6e4f" } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function map() {
    var box = document.getElementById("unit-map");
    TEXT = data("map-text");
    if (!box || !TEXT) { return; }
    var boundaryUrl = box.getAttribute("data-boundary");
    var get = function (url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }); };
    Promise.all([get(box.getAttribute("data-src")), boundaryUrl ? get(boundaryUrl) : Promise.resolve(null)]).then(function (both) {
      var d = both[0], boundary = both[1];
      var counts = [0, 0, 0, 0];
      var series = [0, 1, 2, 3].map(function (s) {
        return { type: "scatter", name: TEXT.states[s], coordinateSystem: boundary ? "geo" : "cartesian2d",
                 symbolSize: d.points.length > 5000 ? 3 : 7, large: d.points.length > 2000,
                 itemStyle: { color: COLOURS[s] }, data: [] };
      });
      d.points.forEach(function (p) { counts[p[2]] += 1; series[p[2]].data.push([p[0], p[1], p[3], p[4]]); });
      series.reverse(); // the worst drawn last, on top
      var option = { animation: false, tooltip: { show: false }, series: series };
      if (boundary) {
        window.echarts.registerMap("area", boundary);
        option.geo = { map: "area", roam: true, itemStyle: { areaColor: "#f4f6f4", borderColor: "#7a8a7a" }, silent: true };
      } else {
        option.grid = { left: 8, right: 8, top: 8, bottom: 8, containLabel: true, backgroundColor: "#f4f6f4", show: true };
        option.xAxis = { type: "value", scale: true, axisLabel: { show: false }, splitLine: { show: false } };
        option.yAxis = { type: "value", scale: true, axisLabel: { show: false }, splitLine: { show: false } };
        option.dataZoom = [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }];
      }
      var chart = window.echarts.init(box);
      chart.setOption(option);
      chart.on("click", function (p) {
        if (p.data && p.data[2]) { window.location.href = d.unit_url.replace("{id}", p.data[2]); }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      var rows = document.querySelector("#map-table tbody");
      counts.forEach(function (n, s) {
        var tr = document.createElement("tr");
        var a = document.createElement("td"); a.textContent = TEXT.states[s];
        var b = document.createElement("td"); b.textContent = n;
        tr.appendChild(a); tr.appendChild(b); rows.appendChild(tr);
      });
      var note = document.getElementById("map-note");
      note.textContent = TEXT.located.replace("%(total)s", d.total) +
        (d.shown < d.total ? TEXT.shown.replace("%(shown)s", d.shown) : "") + (boundary ? "" : TEXT.no_boundary);
      box.setAttribute("data-ready", String(d.shown));
    });
  }

  function draw() {
    if (!window.echarts) { return; }
    trend(); ranking(); map();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

// The dashboard's charts (Apache ECharts, vendored): each <div data-chart="ID"> is drawn from
// the JSON of <script type="application/json" id="ID"> — {kind: line|bar|stack, unit, x,
// series: [{name, data: [{value, url}]}]}. Clicking a point opens its list (`url`), with the
// dashboard's filters. "查看数据" shows the same figures as a table (always shown in print).
(function () {
  var PALETTE = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];
  var charts = [];

  function option(spec) {
    var unit = spec.unit || "";
    var line = spec.kind === "line";
    return {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: "system-ui, -apple-system, 'Microsoft YaHei', 'PingFang SC', sans-serif" },
      grid: { left: 48, right: 16, top: 36, bottom: 28, containLabel: false },
      legend: { top: 0, type: "scroll", itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (unit === "%" ? "%" : " " + unit); },
      },
      xAxis: { type: "category", data: spec.x, axisLabel: { fontSize: 11, hideOverlap: true } },
      yAxis: {
        type: "value",
        name: unit === "%" ? "" : unit,
        axisLabel: { fontSize: 11, formatter: unit === "%" ? "{value}%" : "{value}" },
      },
      series: spec.series.map(function (s, i) {
        var shade = i === 0 && spec.shade ? {
          silent: true,
          itemStyle: { color: "rgba(108, 117, 125, 0.10)" },
          label: { show: true, position: "insideTop", color: "#6c757d", fontSize: 11 },
          data: [[{ name: spec.shade.label, xAxis: spec.shade.from }, { xAxis: spec.x[spec.x.length - 1] }]],
        } : undefined;
        return {
          markArea: shade,
          name: s.name,
          type: line ? "line" : "bar",
          stack: spec.kind === "stack" ? "total" : undefined,
          connectNulls: false,
          symbolSize: 7,
          barMaxWidth: 28,
          emphasis: { focus: "series" },
          cursor: "pointer",
          data: s.data,
        };
      }),
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.assign(params.data.url);
    });
    charts.push(chart);
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
  // Print at the paper's width, then back to the screen's.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) { c.resize({ width: 640 }); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (c) { c.resize(); });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-toggle-table]");
    if (!button) return;
    var table = document.getElementById(button.dataset.toggleTable);
    if (!table) return;
    var shown = table.classList.toggle("shown");
    button.textContent = shown ? "收起数据" : "查看数据";
  });
})();

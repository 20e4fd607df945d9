// The leaders' dashboard charts, drawn with the locally served ECharts from the figures the
// page embeds (#dash-data, produced by dashboard.figures). Every chart element opens the
// project list with the matching filters; the numbers stay readable in the HTML without JS.
(function () {
  "use strict";

  var YI = 10000; // 1亿元 = 10000万元
  var charts = [];
  // The charts' words, translated by the page (#dash-text, data-* attributes); "{x}" marks
  // where a value goes. The Chinese here is only the fallback of a page without them.
  var TEXT = {
    projects: "项目数", totalYi: "总投资（亿元）", count: "个", yi: "{n}亿元", wan: "{n}万元",
    unitYi: "亿元", unitWan: "万元", year: "{y}年", cumulative: "{name}累计", month: "{m}月",
    inMonth: "当月（{u}）", inTotal: "累计（{u}）", unfilled: "未填",
    funnelTip: "{name}：{n}个（年内新达到 {entered}）", andAbove: "{label}及以上",
    done: "完成", timeProgress: "序时进度", completion: "完成率", timeMark: "序时 {p}"
  };

  function t(key, values) {
    var text = TEXT[key];
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function yi(value) {
    return value === null ? null : Math.round((num(value) / YI) * 100) / 100;
  }

  function money(value) {
    var amount = num(value);
    if (amount === null) { return "—"; }
    return Math.abs(amount) >= YI
      ? t("yi", { n: (amount / YI).toFixed(2) })
      : t("wan", { n: amount.toFixed(2) });
  }

  // A tooltip built by a formatter is HTML: every label in it comes from the data (a unit or
  // chain name an admin typed) and is escaped, as ECharts' own tooltips do.
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/[&<>"']/g, function (c) { return HTML_ESCAPES[c]; });
  }

  function join(query, extra) {
    return [query, extra].filter(Boolean).join("&");
  }

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    // Marks the chart as drawn once its first rendering (animation included) is complete.
    chart.on("finished", function () { el.setAttribute("data-drawn", "true"); });
    chart.setOption(option);
    if (onClick) {
      chart.on("click", function (params) {
        var query = onClick(params);
        if (query !== null && query !== undefined) { go(query); }
      });
    }
    charts.push(chart);
    return chart;
  }

  var data, listUrl;

  function go(query) {
    window.location.href = listUrl + (query ? "?" + query : "");
  }

  function stageChart() {
    var rows = data.by_stage;
    make("chart-stage", {
      tooltip: { trigger: "axis" },
      legend: { data: [t("projects"), t("totalYi")], bottom: 0 },
      grid: { left: 10, right: 10, top: 30, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      yAxis: [
        { type: "value", name: t("count"), minInterval: 1 },
        { type: "value", name: t("unitYi"), splitLine: { show: false } }
      ],
      series: [
        {
          name: t("projects"), type: "bar",
          data: rows.map(function (r) {
            return { value: r.count, itemStyle: { color: r.color }, query: r.query };
          }),
          label: { show: true, position: "top" }
        },
        {
          name: t("totalYi"), type: "line", yAxisIndex: 1, symbolSize: 8,
          itemStyle: { color: "#5f6670" },
          data: rows.map(function (r) { return { value: yi(r.investment), query: r.query }; })
        }
      ]
    }, function (p) { return p.data && p.data.query; });
  }

  function monthlyChart() {
    var m = data.monthly_funds;
    var scopeQuery = data.headline_queries.funds_in_place;
    var thisName = t("year", { y: m.year }), lastName = t("year", { y: m.previous_year });
    var thisTotal = t("cumulative", { name: thisName });
    var lastTotal = t("cumulative", { name: lastName });
    // The axes in 亿元 once the running totals reach 1亿元, else in 万元.
    var largest = Math.max.apply(null, m.this_year_cumulative.concat(m.last_year_cumulative)
      .map(function (v) { return num(v) || 0; }));
    var inYi = largest >= YI;
    var unitName = inYi ? t("unitYi") : t("unitWan");
    function scaled(values) {
      return values.map(function (v) { return v === null ? null : (inYi ? yi(v) : num(v)); });
    }
    make("chart-monthly", {
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) {
          return v === null || v === undefined ? "—" : money(inYi ? v * YI : v);
        }
      },
      legend: { data: [thisName, lastName, thisTotal, lastTotal], bottom: 0 },
      grid: { left: 10, right: 10, top: 30, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: m.months.map(function (x) { return t("month", { m: x }); }) },
      yAxis: [
        { type: "value", name: t("inMonth", { u: unitName }) },
        { type: "value", name: t("inTotal", { u: unitName }), splitLine: { show: false } }
      ],
      series: [
        { name: thisName, type: "bar", itemStyle: { color: "#b3261e" }, data: scaled(m.this_year) },
        { name: lastName, type: "bar", itemStyle: { color: "#9aa0a6" }, data: scaled(m.last_year) },
        {
          name: thisTotal, type: "line", yAxisIndex: 1, itemStyle: { color: "#b3261e" },
          data: scaled(m.this_year_cumulative)
        },
        {
          name: lastTotal, type: "line", yAxisIndex: 1, lineStyle: { type: "dashed" },
          itemStyle: { color: "#9aa0a6" }, data: scaled(m.last_year_cumulative)
        }
      ]
    }, function () { return scopeQuery; });
  }

  // Rows of a breakdown as bars stacked by stage: one bar per chain/place, colored by card.
  function breakdownChart(id, rows) {
    var stages = data.by_stage.filter(function (s) { return s.stage !== "dropped"; });
    make(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: stages.map(function (s) { return s.label; }), bottom: 0 },
      grid: { left: 10, right: 20, top: 10, bottom: 40, containLabel: true },
      yAxis: {
        type: "category", inverse: true,
        data: rows.map(function (r) { return r.name || t("unfilled"); })
      },
      xAxis: { type: "value", minInterval: 1 },
      series: stages.map(function (s) {
        return {
          name: s.label, type: "bar", stack: "stage", itemStyle: { color: s.color },
          data: rows.map(function (r) {
            var query = r.query === null ? null : join(r.query, "stage=" + s.stage);
            return { value: r.stages[s.stage] || 0, query: query };
          })
        };
      })
    }, function (p) { return p.data && p.data.query; });
  }

  function funnelChart() {
    var rows = data.stage_funnel;
    make("chart-funnel", {
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return t("funnelTip", {
            name: esc(p.name), n: esc(p.value), entered: esc(p.data.entered)
          });
        }
      },
      series: [{
        type: "funnel", sort: "descending", left: "10%", width: "80%", top: 10, bottom: 10,
        minSize: "20%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b} {c}" },
        data: rows.map(function (r) {
          return {
            name: t("andAbove", { label: r.label }), value: r.count, entered: r.entered,
            itemStyle: { color: r.color }, query: r.query
          };
        })
      }]
    }, function (p) { return p.data && p.data.query; });
  }

  function unitsChart() {
    var rows = data.unit_scoreboard;
    if (!rows.length) { return; }
    var progress = num(data.scope.time_progress);
    var markColor = { "": "#1c64d1", yellow: "#f0b400", red: "#c5221f" };
    make("chart-units", {
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var r = rows[items[0].dataIndex];
          return esc(r.name) + "<br>" + esc(t("done")) + " " +
            (r.completion === null ? "—" : esc(r.completion) + "%") +
            "（" + esc(money(r.actual_funds)) + " / " + esc(money(r.target_funds)) + "）<br>" +
            esc(t("timeProgress")) + " " + esc(r.time_progress) + "%";
        }
      },
      grid: { left: 10, right: 50, top: 30, bottom: 10, containLabel: true },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      xAxis: { type: "value", name: "%", max: function (v) { return Math.max(100, Math.ceil(v.max)); } },
      series: [{
        name: t("completion"), type: "bar",
        data: rows.map(function (r) {
          return {
            value: num(r.completion) || 0, query: r.query,
            itemStyle: { color: markColor[r.mark] || markColor[""] }
          };
        }),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: {
          symbol: "none", lineStyle: { color: "#5f6670", type: "dashed" },
          label: { position: "start", formatter: t("timeMark", { p: progress + "%" }) },
          data: [{ xAxis: progress }]
        }
      }]
    }, function (p) { return p.data && p.data.query; });
  }

  function draw() {
    var node = document.getElementById("dash-data");
    if (!node || !window.echarts) { return; }
    data = JSON.parse(node.textContent);
    listUrl = data.list_url;
    var words = document.getElementById("dash-text");
    if (words) {
      Object.keys(TEXT).forEach(function (key) {
        if (words.dataset[key]) { TEXT[key] = words.dataset[key]; }
      });
    }
    stageChart();
    monthlyChart();
    breakdownChart("chart-chain", data.by_chain);
    breakdownChart("chart-place", data.by_place);
    funnelChart();
    unitsChart();
  }

  function resizeAll(size) {
    charts.forEach(function (chart) { chart.resize(size); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    window.addEventListener("resize", function () { resizeAll(); });
    // Paper is narrower than the screen: redraw at a printable width, then back.
    window.addEventListener("beforeprint", function () {
      resizeAll({ width: 680, animation: { duration: 0 } });
    });
    window.addEventListener("afterprint", function () { resizeAll(); });
    var printButton = document.querySelector("[data-print]");
    if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  });

  // The drawn charts, for the browser test and the console.
  window.jcDashboard = { charts: charts };
})();

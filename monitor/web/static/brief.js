// Draws the briefing's charts with the vendored ECharts. The data comes from the JSON block the server
// rendered (id="brief-data"), so the page needs no inline script and works under a strict CSP.
(function () {
  "use strict";
  var node = document.getElementById("brief-data");
  if (!node || !window.echarts) { return; }
  var brief = JSON.parse(node.textContent);
  var days = brief.days.map(function (d) { return d.slice(5); });
  var colors = { negative: "#d43b3b", neutral: "#9aa5b1", positive: "#2e9e5b", unscored: "#d9dde3" };
  var names = { negative: "负面", neutral: "中性", positive: "正面", unscored: "未评分" };
  var options = {
    volume: {
      title: { text: "每日声量（本期 vs 上期）", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" }, legend: { top: 24 }, grid: { top: 60, left: 44, right: 16, bottom: 28 },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "本期", type: "line", data: brief.volume.by_day, smooth: false },
        { name: "上期", type: "line", data: brief.volume.previous_by_day.slice(0, days.length),
          lineStyle: { type: "dashed" } }
      ]
    },
    sentiment: {
      title: { text: "情感分布", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" }, legend: { top: 24 }, grid: { top: 60, left: 44, right: 16, bottom: 28 },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: ["negative", "neutral", "positive", "unscored"].map(function (key) {
        return { name: names[key], type: "bar", stack: "sentiment", data: brief.sentiment.by_day[key],
                 itemStyle: { color: colors[key] } };
      })
    },
    sov: {
      title: { text: "声量份额", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" }, legend: { top: 24 },
      series: [{ name: "声量份额", type: "pie", radius: ["35%", "62%"], top: 20, bottom: 20,
                 label: { formatter: "{b}\n{d}%" },
                 data: brief.share_of_voice.map(function (s) { return { name: s.brand, value: s.mentions }; }) }]
    },
    platforms: {
      title: { text: "平台分布", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" }, grid: { top: 40, left: 72, right: 24, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: brief.platforms.map(function (p) { return p.platform; }) },
      series: [{ name: "声量", type: "bar", data: brief.platforms.map(function (p) { return p.mentions; }) }]
    }
  };
  var font = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  Object.keys(options).forEach(function (key) {
    var o = options[key];
    o.textStyle = { fontFamily: font };
    o.title.left = 0;
    if (o.legend) { o.legend.top = 0; o.legend.right = 0; }
  });
  options.sov.legend = { bottom: 0 };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (!option) { return; }
    el.style.height = "300px";  // CSSOM from a script is allowed by a strict style-src
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts-ready", String(charts.length));
})();

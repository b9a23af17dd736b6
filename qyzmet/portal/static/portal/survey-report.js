// The survey report's charts: a horizontal bar chart per question (percent, and the weighted
// percent when the survey could be weighted), drawn with Chart.js from the JSON the page
// carries. The tables above the charts hold the same figures, so without JavaScript nothing is
// lost: the chart boxes stay hidden.
(function () {
  "use strict";
  var source = document.getElementById("survey-chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var BAR = "#00607a";
  var WEIGHTED_BAR = "#86b7c6";

  function wrapped(text, width) {
    var words = String(text).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function percents(rows) {
    return rows.map(function (row) { return row ? row.percent : null; });
  }

  function tooltipLabel(rowsByDataset) {
    return function (context) {
      var row = rowsByDataset[context.datasetIndex][context.dataIndex];
      if (!row) { return ""; }
      return context.dataset.label + ": " + row.percent + " (95%: " + row.low + "–" + row.high + ")";
    };
  }

  data.charts.forEach(function (chart) {
    var boxes = document.querySelectorAll("[data-survey-chart]");
    var box = null;
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute("data-survey-chart") === chart.code) { box = boxes[i]; }
    }
    if (!box) { return; }
    var canvas = box.querySelector("canvas");
    box.hidden = false;
    box.style.position = "relative";
    var narrow = box.clientWidth < 480;
    var datasets = [{ label: data.labels.plain, data: percents(chart.values), backgroundColor: BAR }];
    var rows = [chart.values];
    if (chart.weighted) {
      datasets.push({
        label: data.labels.weighted, data: percents(chart.weighted), backgroundColor: WEIGHTED_BAR
      });
      rows.push(chart.weighted);
    }
    var bars = chart.options.length * datasets.length;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.options.map(function (label) { return wrapped(label, narrow ? 18 : 32); }),
        datasets: datasets
      },
      options: {
        indexAxis: "y",
        animation: reduceMotion ? false : undefined,
        aspectRatio: Math.max(narrow ? 0.9 : 1.4, (narrow ? 2.2 : 3.4) - bars * 0.18),
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: { callbacks: { label: tooltipLabel(rows) } }
        }
      }
    });
  });
})();

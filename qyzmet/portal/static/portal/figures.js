// The operating figures: draws each [data-chart] box with Chart.js from the JSON block the page
// carries (labels already translated by the server). Without JavaScript the tables below the
// charts hold the same numbers; once a chart is drawn its table folds away (one click opens it).
(function () {
  "use strict";
  var source = document.getElementById("figures-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var Chart = window.Chart;
  var specs = JSON.parse(source.textContent);
  var language = document.documentElement.lang || "kk";
  var numbers;
  try { numbers = new Intl.NumberFormat(language); } catch (e) { numbers = new Intl.NumberFormat(); }

  Chart.defaults.animation = false; // drawn at once: no motion, nothing to wait for
  Chart.defaults.color = "#1b1f24";
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;

  // Long names (agencies, services) wrap onto lines of about `width` characters.
  function wrap(text, width) {
    var words = String(text).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function format(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    return numbers.format(value) + (unit || "");
  }

  function config(spec, narrow) {
    var horizontal = !!spec.horizontal;
    var unit = spec.unit || "";
    var datasets = spec.datasets.map(function (set) {
      var out = { label: set.label, data: set.data };
      if (set.colours) { out.backgroundColor = set.colours; out.borderColor = "#ffffff"; }
      else { out.backgroundColor = set.colour; out.borderColor = set.colour; }
      return out;
    });
    var labels = spec.labels.map(function (label) {
      return horizontal ? wrap(label, narrow ? 18 : 34) : label;
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      locale: language,
      plugins: {
        legend: {
          position: "bottom",
          labels: {
            boxWidth: 14,
            // a long service name would run off a phone's screen: shortened here, whole in
            // the tooltip and the table
            generateLabels: function (chart) {
              // a doughnut labels its slices, other charts their datasets
              var own = Chart.overrides[chart.config.type];
              var labels = own && own.plugins && own.plugins.legend && own.plugins.legend.labels;
              var make = (labels && labels.generateLabels) || Chart.defaults.plugins.legend.labels.generateLabels;
              var items = make(chart);
              var max = narrow ? 34 : 70;
              items.forEach(function (item) {
                if (item.text && item.text.length > max) { item.text = item.text.slice(0, max - 1) + "…"; }
              });
              return items;
            }
          }
        },
        tooltip: {
          callbacks: {
            label: function (item) {
              var value = spec.type === "doughnut" ? item.raw : item.parsed[horizontal ? "x" : "y"];
              return " " + item.dataset.label + ": " + format(value, unit);
            }
          }
        }
      }
    };
    if (spec.type === "doughnut") {
      options.plugins.tooltip.callbacks.label = function (item) {
        return " " + item.label + ": " + format(item.raw, unit);
      };
    } else {
      var valueAxis = {
        beginAtZero: true,
        stacked: !!spec.stacked,
        ticks: { precision: 0, callback: function (value) { return format(value, unit); } }
      };
      if (spec.max) { valueAxis.max = spec.max; }
      var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: false } };
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
      if (spec.datasets.length === 1) { options.plugins.legend.display = false; }
    }
    return { type: spec.type, data: { labels: labels, datasets: datasets }, options: options };
  }

  // Horizontal bars get a band per label, tall enough for its wrapped lines; the legend below
  // takes up to two rows on a phone.
  function height(spec, narrow, labels) {
    if (!spec.horizontal) { return narrow ? 280 : 340; }
    var bands = labels.reduce(function (sum, lines) {
      return sum + Math.max(30, lines.length * 15 + 12);
    }, 0);
    var legend = spec.datasets.length > 1 ? (narrow ? 70 : 40) : 0;
    return bands + 40 + legend;
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var spec = specs[box.getAttribute("data-chart")];
    var canvas = box.querySelector("canvas");
    if (!spec || !canvas) { return; }
    box.hidden = false;
    var narrow = box.clientWidth < 600;
    var chartConfig = config(spec, narrow);
    box.style.position = "relative";
    box.style.height = height(spec, narrow, chartConfig.data.labels) + "px";
    new Chart(canvas, chartConfig);
    box.setAttribute("data-drawn", "true");
    var table = document.getElementById(box.getAttribute("data-table"));
    if (table) { table.open = false; }
  });
})();

/* Draws every chart on a page with Chart.js.
 *
 * Each <canvas data-chart="ID"> reads its data from the JSON element #ID
 * (written by Django's json_script): a title, the unit, and either the series'
 * points in the shape the API and data.json use (market/forecast.py
 * series_as_dict), or counts per year stacked by segment ("years" and
 * "stacks", market/charts.py approvals_data).
 * No inline script is needed, and the table beside each chart lists the same
 * points.
 */
(function () {
  "use strict";

  // Sourced years are solid; computed years are pale with a solid outline.
  var STYLES = {
    "actual-sourced": { fill: "#123e7c", line: "#123e7c" },
    "estimate-sourced": { fill: "#1f5fae", line: "#1f5fae" },
    "forecast-sourced": { fill: "#0e7265", line: "#0e7265" },
    "estimate-computed": { fill: "rgba(31, 95, 174, 0.25)", line: "#1f5fae" },
    "forecast-computed": { fill: "rgba(14, 114, 101, 0.25)", line: "#0e7265" }
  };

  // One dataset per kind of value, in legend order, so the legend tells sourced
  // from computed years and estimates from forecasts.
  var CATEGORIES = [
    ["actual", false, "Actual (sourced)"],
    ["estimate", false, "Estimate (sourced)"],
    ["forecast", false, "Forecast (sourced)"],
    ["estimate", true, "Estimate (computed)"],
    ["forecast", true, "Forecast (computed)"]
  ];

  function datasets(points) {
    return CATEGORIES.map(function (category) {
      return {
        label: category[2],
        category: category[0] + "-" + (category[1] ? "computed" : "sourced"),
        data: points.map(function (point) {
          var match = point.kind === category[0] && point.computed === category[1];
          return match ? Number(point.value) : null;
        })
      };
    }).filter(function (dataset) {
      return dataset.data.some(function (value) { return value !== null; });
    });
  }

  // One colour per segment of a stacked count, told apart without colour too by
  // the legend's order and the table below the chart.
  var SEGMENT_COLOURS = ["#123e7c", "#0e7265", "#8a4b08", "#6b2d73", "#4d4d4d"];

  function stackedDatasets(data) {
    return data.stacks.map(function (stack, n) {
      var colour = SEGMENT_COLOURS[n % SEGMENT_COLOURS.length];
      return { label: stack.label, data: stack.counts, backgroundColor: colour,
               borderColor: colour, borderWidth: 1 };
    });
  }

  function seriesDatasets(data) {
    return datasets(data.points).map(function (dataset) {
      var style = STYLES[dataset.category] || STYLES["forecast-sourced"];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: style.fill,
        borderColor: style.line,
        borderWidth: 1.5
      };
    });
  }

  // Estimates as lines from base year to forecast year, this report's thickest.
  function drawLines(canvas, data) {
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: data.lines.map(function (line, n) {
          var colour = line.ours ? "#123e7c" : SEGMENT_COLOURS[1 + (n % 4)];
          return { label: line.label, data: line.points, borderColor: colour,
                   backgroundColor: colour, borderWidth: line.ours ? 4 : 1.5,
                   pointRadius: line.ours ? 4 : 2 };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: "linear", ticks: { precision: 0, callback: function (v) { return String(v); } } },
          y: { type: "logarithmic", title: { display: true, text: data.unit } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + context.parsed.y + " " + data.unit +
                  " (" + context.parsed.x + ")";
              }
            }
          }
        }
      }
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (data.lines) {
      drawLines(canvas, data);
      return;
    }
    var counts = Boolean(data.stacks);
    var format = function (value) {
      return counts ? value + " " + data.unit : value.toFixed(2) + " " + data.unit;
    };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: counts ? data.years : data.points.map(function (point) { return point.year; }),
        datasets: counts ? stackedDatasets(data) : seriesDatasets(data)
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          // One value per year, so stacking puts each bar in the middle of its slot.
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: data.unit },
               ticks: counts ? { precision: 0 } : {} }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + format(context.parsed.y);
              }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();

/* Draws every chart on a page with Chart.js.
 *
 * Each <canvas data-chart="ID"> reads its data from the JSON element #ID
 * (written by Django's json_script; shape in market/charts.py). No inline
 * script is needed, and the table beside each chart carries the same numbers.
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

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var format = function (value) {
      return value.toFixed(2) + " " + data.unit;
    };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset) {
          var style = STYLES[dataset.category] || STYLES["forecast-sourced"];
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: style.fill,
            borderColor: style.line,
            borderWidth: 1.5
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          // One value per year, so stacking puts each bar in the middle of its slot.
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: data.unit } }
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

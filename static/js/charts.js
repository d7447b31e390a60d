/* Draws every chart on a page with Chart.js.
 *
 * Each <canvas data-chart="ID"> reads its data from the JSON element #ID
 * (written by Django's json_script): a title, the unit, and either the series'
 * points in the shape the API and data.json use (market/forecast.py
 * series_as_dict), or counts per year stacked by segment ("years" and
 * "stacks", market/charts.py approvals_data).
 * No inline script is needed, and the table beside each chart lists the same
 * points. The script's data-chartjs and data-annotation attributes name the
 * library files, loaded on demand (the end of this file).
 */
(function () {
  "use strict";

  // A colour ("#rrggbb") at an opacity, for the pale fill of computed values.
  function faded(colour, opacity) {
    var n = parseInt(colour.slice(1), 16);
    return "rgba(" + (n >> 16) + ", " + ((n >> 8) & 255) + ", " + (n & 255) + ", " + opacity + ")";
  }

  // The lines under a chart's title: units and source (two lines on a phone), edition.
  function subtitle(data, narrow) {
    var unit = data.unit.charAt(0).toUpperCase() + data.unit.slice(1) + ".";
    var lines = narrow ? [unit, data.source] : [unit + " " + data.source];
    return lines.concat([data.edition || ""]);
  }

  // A vertical line with its label at a year of the x axis (its index among the
  // bars; a fraction falls between two), each label at its own height so that
  // marks a year or two apart stay readable.
  function mark(at, text, row) {
    return {
      type: "line", xMin: at, xMax: at, borderColor: "#1a1a1a", borderWidth: 1.5,
      borderDash: [4, 3],
      label: { display: true, content: text, position: "end", yAdjust: 4 + row * 22,
               backgroundColor: "rgba(255, 255, 255, 0.92)", color: "#1a1a1a",
               font: { size: 11 }, padding: 3 }
    };
  }

  function marks(data, years) {
    var found = {};
    if (!data.marks) {
      return found;
    }
    var base = years.indexOf(data.marks.base_year);
    var start = years.indexOf(data.marks.forecast_start_year);
    if (base >= 0) {
      found.base = mark(base, "Base year " + data.marks.base_year, 0);
    }
    if (start >= 0) {
      found.start = mark(start - 0.5, "Forecast from " + data.marks.forecast_start_year, 1);
    }
    var today = new Date(data.marks.today + "T12:00:00Z");
    var year = today.getUTCFullYear();
    var at = years.indexOf(year);
    if (at >= 0) {
      var first = Date.UTC(year, 0, 1);
      var share = (today - first) / (Date.UTC(year + 1, 0, 1) - first);
      found.today = mark(at - 0.5 + share, "Today", 2);
    }
    return found;
  }

  // Counts per year stacked by segment, in the colours market/charts.py gives them.
  function stackedDatasets(data) {
    return data.stacks.map(function (stack, n) {
      var colour = data.colours[n];
      return { label: stack.label, data: stack.counts, backgroundColor: colour,
               borderColor: colour, borderWidth: 1 };
    });
  }

  // The kinds of value of a forecast series, as market/charts.py for_page made them.
  function seriesDatasets(data) {
    return data.datasets.map(function (dataset) {
      return {
        label: dataset.label,
        data: dataset.values,
        backgroundColor: dataset.computed ? faded(dataset.colour, data.pale) : dataset.colour,
        borderColor: dataset.colour,
        borderWidth: 1.5
      };
    });
  }

  // Estimates as one bar each, coloured by what they count (market/charts.py
  // GROUP_COLOURS) and named on its own row, so none depends on colour or hovering.
  function drawBars(canvas, data) {
    var narrow = canvas.parentNode.clientWidth < 560;
    canvas.parentNode.style.height = (data.bars.length * (narrow ? 34 : 24) + (narrow ? 240 : 170)) + "px";
    // Each bar named on its row: publisher and where it counts, on two lines on a phone.
    var labels = data.bars.map(function (bar) {
      return narrow ? [bar.label, "(" + bar.where + ")"] : bar.label + " (" + bar.where + ")";
    });
    var ours = data.bars.filter(function (bar) { return bar.group === "ours"; })[0];
    var line = ours ? { ours: { type: "line", xMin: ours.cagr, xMax: ours.cagr, borderColor: "#1a1a1a",
      borderWidth: 1.5, borderDash: [4, 3] } } : {};
    var sets = Object.keys(data.groups).map(function (group) {
      return { label: data.groups[group], backgroundColor: data.colours[group],
               borderColor: data.colours[group],
               data: data.bars.map(function (bar) { return bar.group === group ? bar.cagr : null; }) };
    }).filter(function (set) {
      return set.data.some(function (value) { return value !== null; });
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: sets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, title: { display: true, text: data.unit },
               ticks: { callback: function (value) { return value + " %"; } } },
          y: { stacked: true, ticks: { autoSkip: false, font: function (context) {
            return { size: narrow ? 11 : 12,
                     weight: data.bars[context.index].group === "ours" ? "bold" : "normal" };
          } } }
        },
        plugins: {
          title: { display: true, text: narrow ? data.title.split(": ") : data.title,
                   align: "start", color: "#1a1a1a",
                   font: { size: narrow ? 13 : 14, weight: "bold" } },
          subtitle: { display: true, align: "start", color: "#333333",
                      text: subtitle(data, narrow),
                      font: { size: narrow ? 11 : 12 }, padding: { bottom: 8 } },
          annotation: { annotations: line },
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var bar = data.bars[context.dataIndex];
                return context.dataset.label + ": " + bar.cagr + " % a year, " + bar.period;
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
    if (data.bars) {
      drawBars(canvas, data);
      return;
    }
    var counts = Boolean(data.stacks);
    var format = function (value) {
      return counts ? value + " " + data.unit : value.toFixed(2) + " " + data.unit;
    };
    var years = counts ? data.years : data.points.map(function (point) { return point.year; });
    // On a phone the title takes two lines, split after the report's name.
    var narrow = canvas.parentNode.clientWidth < 560;
    var title = narrow && data.title ? data.title.split(": ") : data.title;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: years,
        datasets: counts ? stackedDatasets(data) : seriesDatasets(data)
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          // One value per year, so stacking puts each bar in the middle of its slot.
          x: { stacked: true, title: { display: true, text: "Year" } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: data.unit },
               ticks: counts ? { precision: 0 } : {} }
        },
        plugins: {
          // Title, units, source and edition drawn in, so a screenshot carries them.
          title: { display: Boolean(data.source), text: title, align: "start",
                   font: { size: narrow ? 13 : 14, weight: "bold" }, color: "#1a1a1a" },
          subtitle: { display: Boolean(data.source), align: "start", color: "#333333",
                      text: subtitle(data, narrow),
                      font: { size: narrow ? 11 : 12 }, padding: { bottom: 8 } },
          annotation: { annotations: marks(data, years) },
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

  // Each value of a chart in words: what the arrow keys announce.
  function readouts(data) {
    if (data.bars) {
      return data.bars.map(function (bar) {
        return bar.label + " (" + bar.where + "): " + bar.cagr + " % a year, " + bar.period +
          ". " + data.groups[bar.group] + ".";
      });
    }
    if (data.stacks) {
      return data.years.map(function (year, n) {
        var parts = data.stacks.filter(function (stack) { return stack.counts[n]; });
        var total = parts.reduce(function (sum, stack) { return sum + stack.counts[n]; }, 0);
        return year + ": " + total + " " + data.unit + (parts.length ? " (" + parts.map(
          function (stack) { return stack.label + " " + stack.counts[n]; }).join(", ") + ")" : "") + ".";
      });
    }
    return data.points.map(function (point) {
      return point.year + ": " + Number(point.value).toFixed(2) + " " + data.unit + ", " +
        (point.label || point.kind) + (point.computed ? ", computed" : ", sourced") + ".";
    });
  }

  // The arrow keys (and Home, End) step through a focused chart's values: the
  // chart's live region says the value and, once the chart is drawn, its tooltip
  // shows it, so the chart works without a mouse and with a screen reader.
  function keyboard(canvas) {
    var lines = readouts(JSON.parse(document.getElementById(canvas.dataset.chart).textContent));
    var readout = document.getElementById(canvas.dataset.chart + "-readout");
    var at = -1;
    var steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    canvas.addEventListener("keydown", function (event) {
      if (event.key === "Home") {
        at = 0;
      } else if (event.key === "End") {
        at = lines.length - 1;
      } else if (steps[event.key]) {
        at = Math.min(lines.length - 1, Math.max(0, at + steps[event.key]));
      } else {
        return;
      }
      event.preventDefault();
      readout.textContent = lines[at];
      var chart = window.Chart && window.Chart.getChart(canvas);
      if (!chart) {
        return;
      }
      var active = chart.data.datasets.map(function (dataset, n) {
        return { datasetIndex: n, index: at };
      }).filter(function (element) {
        var value = chart.data.datasets[element.datasetIndex].data[element.index];
        return value !== null && value !== 0;
      });
      chart.setActiveElements(active);
      chart.tooltip.setActiveElements(active, { x: 0, y: 0 });
      chart.update();
    });
  }

  // Chart.js and its annotation plugin load when a chart first comes near the
  // view (or takes the keyboard focus), not with the page: the text and tables
  // come first, and a page whose charts are below the fold starts without them.
  var script = document.currentScript;
  var library;
  function load(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  function withLibrary(then) {
    library = library || load(script.dataset.chartjs).then(function () {
      return load(script.dataset.annotation);
    });
    library.then(then);
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        withLibrary(function () { draw(entry.target); });
      }
    });
  }, { rootMargin: "600px 0px" });
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    keyboard(canvas);
    observer.observe(canvas);
  });
})();

// The script of yieldledger's HTML reports (engine/html/report.h): it draws every chart described
// in the page's #yl-charts data with Chart.js, then writes on <body> how many canvases hold data
// ink, for the browser test (scripts/browser_test.sh).
(function () {
  'use strict';
  var body = document.body;
  var specs = JSON.parse(document.getElementById('yl-charts').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  // A chart made taller keeps its width (below).
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;

  // Pixels whose channels differ by more than 60 are the palette's colours: data, not the greys of
  // axes, grid lines and text.
  function inkOf(canvas) {
    var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    var ink = 0;
    for (var k = 0; k < pixels.length; k += 4) {
      var r = pixels[k], g = pixels[k + 1], b = pixels[k + 2], a = pixels[k + 3];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) ink++;
    }
    return ink;
  }

  // Chart.js steps its ticks in floating point: the tick meant to be 0 on an axis of small
  // differences came out -1.7e-21 and was labelled "-1.700000E-21". A tick within a millionth of
  // a step of 0 is 0 (Chart.js labels an exact 0 "0").
  function nearZero(value, ticks) {
    var step = ticks.length > 1 ? Math.abs(ticks[1].value - ticks[0].value) : 0;
    return value !== 0 && Math.abs(value) < step * 1e-6;
  }
  function snapZero(axis) {
    axis.ticks.forEach(function (tick) {
      if (nearZero(tick.value, axis.ticks)) tick.value = 0;
    });
  }

  var drawn = 0;
  var noisy = 0;  // ticks near 0 not labelled "0", for the browser test
  specs.forEach(function (spec, i) {
    var canvas = document.getElementById('chart-' + i);
    var config = spec.config;
    config.options = config.options || {};
    var plugins = config.options.plugins = config.options.plugins || {};
    plugins.title = { display: true, text: spec.title, font: { size: 14 } };
    // Datasets marked ylNoLegend (a fan's lower bound) get no legend entry.
    var legend = plugins.legend = plugins.legend || {};
    legend.labels = legend.labels || {};
    legend.labels.filter = function (item, data) {
      return !data.datasets[item.datasetIndex].ylNoLegend;
    };
    var labels = spec.x_labels;
    if (labels && labels.length > 0) {
      // A strip chart: points sit at x = their index (plus a small offset per run), and the axis
      // shows the point's label there.
      var x = config.options.scales.x;
      x.min = -0.5;
      x.max = labels.length - 0.5;
      x.ticks = { autoSkip: false, maxRotation: 30, callback: function (value) {
        return Number.isInteger(value) && labels[value] !== undefined ? labels[value] : '';
      } };
      // One tick per point, at its index (the default ticks would start at min, -0.5).
      x.afterBuildTicks = function (axis) {
        axis.ticks = labels.map(function (label, index) { return { value: index }; });
      };
      plugins.tooltip = { callbacks: { title: function (items) {
        return items.length ? labels[Math.round(items[0].parsed.x)] : '';
      } } };
    }
    var scales = config.options.scales = config.options.scales || {};
    ['x', 'y'].forEach(function (id) {
      var scale = scales[id] = scales[id] || {};
      if (!scale.afterBuildTicks) scale.afterBuildTicks = snapZero;
    });
    var chart = new Chart(canvas, config);
    // A legend of many entries (21 cohorts, 12 points) took half the canvas, was cut there, and
    // left the plot a strip (helper-60's F2): the canvas grows until the whole legend fits in the
    // half Chart.js gives it and the plot keeps at least kPlotHeight pixels.
    var kPlotHeight = 200;
    // Chart.js 3.9 lays the legend out in rows (legendHitBoxes[i].row), whatever part it draws.
    var legendBox = chart.legend;
    var boxes = legendBox && legendBox.isHorizontal() ? legendBox.legendHitBoxes : null;
    if (boxes && boxes.length > 0) {
      var rows = boxes[boxes.length - 1].row + 1;
      var need = rows * (boxes[0].height + legendBox.options.labels.padding) + 10;
      var plot = chart.chartArea.bottom - chart.chartArea.top;
      var more = Math.max(0, need - legendBox.height);
      var height = Math.max(chart.height, 2 * need + 20,
                            chart.height + more + Math.max(0, kPlotHeight - (plot - more)));
      if (height > chart.height) chart.resize(chart.width, height);
    }
    chart.draw();
    Object.keys(chart.scales).forEach(function (id) {
      var scale = chart.scales[id];
      // Not a category axis, nor a strip chart's axis of point labels.
      var numeric = Chart.Ticks.formatters.numeric;
      if (scale.type !== 'linear' || scale.options.ticks.callback !== numeric) return;
      var ticks = scale.ticks;
      ticks.forEach(function (tick) {
        if ((tick.value === 0 || nearZero(tick.value, ticks)) && tick.label !== '0') noisy++;
      });
    });
    var ink = inkOf(canvas);
    canvas.setAttribute('data-ink', String(ink));
    if (ink > 0) drawn++;
  });
  body.setAttribute('data-charts-drawn', String(drawn));
  body.setAttribute('data-noisy-ticks', String(noisy));
})();

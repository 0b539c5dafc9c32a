// Draw the Plotly figures of a dashboard page. Each figure is a JSON data block:
// <script type="application/json" class="app-figure" data-target="ID">{...}</script>
// (no inline script: the page's CSP allows only files). Labels in the JSON are
// already HTML-escaped on the server. window.AppCharts.draw(root) draws the figures
// under root again (dashboard-filters.js calls it after replacing the results).
(function () {
  "use strict";
  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    var blocks = (root || document).querySelectorAll('script[type="application/json"].app-figure');
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-target"));
      if (!target || target.getAttribute("data-drawn") === "true") { return; }
      var figure = JSON.parse(block.textContent);
      var print = document.body.classList.contains("app-report");
      Plotly.newPlot(target, figure.data, figure.layout, {
        responsive: !print, displaylogo: false, staticPlot: print,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"]
      });
      target.setAttribute("data-drawn", "true");
    });
  }
  window.AppCharts = { draw: draw };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
})();

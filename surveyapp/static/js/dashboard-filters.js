// Results filters that apply as soon as they change (JavaScript on); without JavaScript the form's
// "Apply filters" button does the same with a page load. The page is fetched as the button would
// fetch it, and the parts that depend on the filters are swapped in place, so focus stays on the
// control the person just changed; the address bar gets the filtered page's address.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var hint = document.getElementById("filters-hint");
  if (hint) { hint.hidden = false; }
  var latest = 0;
  var SWAPPED = ["disclosure-region", "filtered-results", "crosstab"];

  function dateComplete(prefix) {
    var values = ["day", "month", "year"].map(function (part) {
      var input = form.elements[prefix + "-" + part];
      return input ? input.value.trim() : "";
    });
    var filled = values.filter(function (v) { return v !== ""; }).length;
    return filled === 0 || (filled === 3 && values[2].length === 4);
  }

  function apply() {
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    var request = ++latest;
    form.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.text().then(function (html) { return { html: html, url: response.url }; });
      })
      .then(function (result) {
        if (request !== latest) { return; }  // a newer change is on its way
        var doc = new DOMParser().parseFromString(result.html, "text/html");
        if (doc.querySelector(".govuk-error-summary") || !doc.getElementById("filtered-results")) {
          window.location.assign(url);  // the page with its error summary, as without JavaScript
          return;
        }
        SWAPPED.forEach(function (id) {
          var here = document.getElementById(id), fresh = doc.getElementById(id);
          if (here && fresh) { here.replaceWith(document.importNode(fresh, true)); }
        });
        var count = doc.getElementById("respondents"), shown = document.getElementById("respondents");
        if (count && shown) { shown.textContent = count.textContent; }
        window.history.replaceState(null, "", result.url);
        if (window.AppCharts) { window.AppCharts.draw(document); }
      })
      .catch(function () { window.location.assign(url); })
      .then(function () { if (request === latest) { form.removeAttribute("aria-busy"); } });
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    var date = /^(from|to)-(day|month|year)$/.exec(name);
    if (event.target.tagName === "SELECT" || (date && dateComplete(date[1]))) { apply(); }
  });
})();

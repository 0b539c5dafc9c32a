// Autosave of report back drafts: each form marked data-autosave is posted (with its CSRF token)
// a second after the last change. Without JavaScript the forms' Save buttons do the same.
(function () {
  "use strict";
  var status = document.getElementById("autosave-status");
  function say(text) { if (status) { status.textContent = text; } }
  function save(form) {
    var data = new FormData(form);
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Autosave": "1" }
    }).then(function (response) {
      var time = new Date().toTimeString().slice(0, 5);
      say(response.ok ? "Draft saved at " + time + "." : "Not saved: use the Save button to see what needs correcting.");
    }).catch(function () { say("Not saved: check your connection, then use the Save button."); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
    var timer = null;
    function later() {
      if (timer) { clearTimeout(timer); }
      say("Saving…");
      timer = setTimeout(function () { timer = null; save(form); }, 1000);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
})();

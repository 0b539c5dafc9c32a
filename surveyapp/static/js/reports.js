// Autosave of report back drafts: each form marked data-autosave is posted (with its CSRF token)
// a second after the last change. Without JavaScript the forms' Save buttons do the same.
// Before any other form is sent (Finalise, Add section), unsaved changes are saved first.
(function () {
  "use strict";
  var status = document.getElementById("autosave-status");
  var pending = new Map(); // form -> timer
  function say(text) { if (status) { status.textContent = text; } }
  function save(form) {
    pending.delete(form);
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Autosave": "1" }
    }).then(function (response) {
      var time = new Date().toTimeString().slice(0, 5);
      say(response.ok ? "Draft saved at " + time + "." : "Not saved: use the Save button to see what needs correcting.");
    }).catch(function () { say("Not saved: check your connection, then use the Save button."); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
    function later() {
      if (pending.has(form)) { clearTimeout(pending.get(form)); }
      say("Saving…");
      pending.set(form, setTimeout(function () { save(form); }, 1000));
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
  document.addEventListener("submit", function (event) {
    var forms = Array.from(pending.keys()).filter(function (f) { return f !== event.target; });
    pending.forEach(function (timer) { clearTimeout(timer); });
    pending.clear();
    if (!forms.length) { return; }
    event.preventDefault();
    var target = event.target;
    Promise.all(forms.map(save)).then(function () { target.submit(); });
  }, true);
})();

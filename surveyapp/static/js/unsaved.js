// Warn before leaving an interview page with changes that are not saved yet (progressive enhancement).
//
// A form marked data-warn-unsaved becomes "dirty" when anything in it changes; leaving the
// page any other way than through one of the form's own buttons (Continue, Save draft) then
// asks the browser to confirm. Served as a file: the CSP allows no inline script.

for (const form of document.querySelectorAll("form[data-warn-unsaved]")) {
  let dirty = false;
  const mark = () => { dirty = true; };
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers show their own message only when this is set
  });
}

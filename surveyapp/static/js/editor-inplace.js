// Edits in place on the editor's overview (progressive enhancement). A form marked data-inplace (move, duplicate,
// add a question or a page) is posted with fetch instead of reloading the page; the server answers exactly as it
// does without JavaScript (a redirect back to the overview, or the overview with the form's errors), and its main
// content replaces this one. Focus goes back to the same button where it still exists (so Move up can be
// pressed again), else to the part of the page that changed; the flash banner (role=alert) is announced.
// Anything unexpected (another page, a network error) falls back to the ordinary form post.

import { initAll } from "../dist/govuk-frontend.min.js";

const main = document.getElementById("main-content");

function focusAfter(key) {
  if (main.querySelector(".govuk-error-summary")) return; // GOV.UK's error summary takes the focus itself
  const area = key.area && document.getElementById(key.area);
  const again = area && key.value && area.querySelector(`button[name="action"][value="${CSS.escape(key.value)}"]`);
  const nearby = area && key.value && area.querySelector("button, a");
  const target = again || nearby || main.querySelector("[role=alert]") || main.querySelector("h1");
  if (!target) return;
  if (!target.matches("button, a, input, select, textarea")) target.setAttribute("tabindex", "-1");
  target.focus();
  target.scrollIntoView({ block: "nearest" });
}

function replaceMain(html) {
  const next = new DOMParser().parseFromString(html, "text/html");
  const nextMain = next.getElementById("main-content");
  if (!nextMain) return false;
  main.replaceChildren(...Array.from(nextMain.childNodes, (node) => document.importNode(node, true)));
  document.title = next.title;
  initAll({ scope: main });
  wire();
  return true;
}

async function submitInPlace(form, submitter) {
  const body = new FormData(form);
  if (submitter && submitter.name) body.append(submitter.name, submitter.value);
  const key = {
    area: (form.closest("[id]") || {}).id,
    value: submitter && submitter.name === "action" ? submitter.value : null,
  };
  form.setAttribute("aria-busy", "true");
  let response;
  try {
    // getAttribute: form.action would be the form's own control named "action" (its buttons)
    const url = new URL(form.getAttribute("action") || "", window.location.href);
    response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
  } catch {
    form.removeAttribute("aria-busy");
    return false;
  }
  const sameOverview = new URL(response.url).pathname === window.location.pathname;
  if (response.redirected && !sameOverview) {
    window.location.assign(response.url); // the server sent us elsewhere: go there as a normal page
    return true;
  }
  if (!replaceMain(await response.text())) return false;
  focusAfter(key);
  return true;
}

function wire() {
  for (const form of main.querySelectorAll("form[data-inplace]")) {
    if (form.dataset.inplaceWired) continue;
    form.dataset.inplaceWired = "1";
    form.addEventListener("submit", async (event) => {
      if (!form.hasAttribute("data-inplace") || !window.fetch || !window.DOMParser) return;
      if (event.submitter && event.submitter.value === "delete") return; // its confirmation is a page of its own
      event.preventDefault();
      const done = await submitInPlace(form, event.submitter);
      if (!done) {
        form.removeAttribute("data-inplace");
        HTMLFormElement.prototype.requestSubmit.call(form, event.submitter || undefined);
      }
    });
  }
}

if (main) wire();

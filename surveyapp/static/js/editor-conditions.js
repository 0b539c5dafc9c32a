// Check a condition while it is typed (progressive enhancement): each box marked data-check-url asks the
// server, half a second after the last key, what the importer's validator would say of it there, and shows
// the answer in the polite live region under the box. Without JavaScript, saving checks it the same way.

const DELAY_MS = 500;

for (const box of document.querySelectorAll("textarea[data-check-url]")) {
  const region = document.getElementById(`${box.id}-check`);
  if (!region || !window.fetch) continue;
  let timer = null;
  let asked = 0;
  const check = () => {
    const number = ++asked;
    const url = `${box.dataset.checkUrl}&expression=${encodeURIComponent(box.value)}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => {
        if (number !== asked) return; // an older answer arriving late
        const problems = data.problems || [];
        region.classList.toggle("govuk-error-message", problems.length > 0);
        region.textContent = problems.length
          ? problems.join(". ")
          : box.value.trim() ? "No problems found in this condition." : "";
      })
      .catch(() => { region.textContent = ""; });
  };
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, DELAY_MS);
  });
}

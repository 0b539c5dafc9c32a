"""A respondent's journey in Debian's Chromium, run as its own process by tests/load (Playwright's sync
API allows one instance per process, and the browser tests' instance may be running in the test process).

    python tests/load/chromium_journey.py https://localhost:PORT/p/KEY NOTE

Answers the four-question survey (bench/bench_journey_survey.yaml) as a person would: click Start now,
choose, type, Continue, Submit answers. Prints one JSON line: the headings seen and the final URL.
The nginx certificate is the test's own self-signed one, hence ignore_https_errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from browser.harness import launch_chromium  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402


def main(link: str, note: str) -> None:
    headings = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(ignore_https_errors=True)
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.goto(link)
        headings.append(page.get_by_role("heading", level=1).inner_text())
        page.get_by_role("button", name="Start now").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your visit")
        headings.append(page.get_by_role("heading", level=1).inner_text())
        page.get_by_role("radio", name="Crisis team").check()
        page.get_by_role("group", name="Overall score").get_by_role("radio", name="7", exact=True).check()
        page.get_by_role("group", name="Would you recommend it?").get_by_role("radio", name="Yes").check()
        page.get_by_label("One thing to change").fill(note)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
        headings.append(page.get_by_role("heading", level=1).inner_text())
        page.get_by_role("button", name="Submit answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        headings.append(page.get_by_role("heading", level=1).inner_text())
        print(json.dumps({"headings": headings, "url": page.url}))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

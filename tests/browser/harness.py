"""The real-browser set-up shared by the browser tests and scripts/screenshots.py.

Debian's Chromium (/usr/bin/chromium) driven by Playwright's sync API, never
Playwright's own browser download; the app served by werkzeug in a thread on
127.0.0.1; axe-core from node_modules injected by CDP evaluation, which a
Content-Security-Policy forbidding inline scripts does not block.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# What a headless root session needs, and no calls home (no network at run time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def axe_available() -> bool:
    return AXE_PATH.is_file()


def assets_built() -> bool:
    return (ROOT / "surveyapp" / "static" / "dist" / "app.css").is_file()


def launch_chromium(playwright):
    """One headless Chromium for a whole test session or script run."""
    return playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # keep test output to what failed
        pass


class LiveServer:
    """A Flask app served for real on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # Links the app builds (invitations, emails) must point here, not at the test default.
        app.config["SURVEYAPP_BASE_URL"] = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_axe_source: str | None = None


def run_axe(page) -> list[dict]:
    """The WCAG 2.1 A and AA violations axe-core finds on the page as it is now."""
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_PATH.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A string is evaluated through CDP (Runtime.evaluate): not an inline <script>, so CSP does not apply.
        page.evaluate(_axe_source + "\n;void 0")
    return page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))
            }));
        }""",
        AXE_TAGS,
    )


class JavaScriptOffScanner:
    """axe-core for pages of a context with JavaScript off (where axe's own timers never fire).

    The page's DOM as it is, scripts removed, is served at the same URL to one
    JavaScript-enabled page (so the stylesheets load as they did) and scanned there.
    """

    def __init__(self, browser):
        self._browser = browser
        self._page = None
        self._url, self._html = None, ""

    def scan(self, page) -> list[dict]:
        if self._page is None:
            self._page = self._browser.new_context().new_page()
            self._page.route(
                lambda requested: requested == self._url,
                lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._html),
            )
        self._page.set_viewport_size(page.viewport_size)
        self._url = page.url
        self._html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
        self._page.goto(self._url)
        return run_axe(self._page)

    def close(self) -> None:
        if self._page is not None:
            self._page.context.close()
            self._page = None


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.1 A/AA) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"      {detail}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)

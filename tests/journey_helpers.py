"""Drive the respondent's journey through the test client the way a browser would."""

from __future__ import annotations

import re
from html import unescape


def shown_fields(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="_shown" value="([^"]+)">', html)


def error_summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of every link in the error summary."""
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not block:
        return []
    return [
        (href, unescape(" ".join(text.split())))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1), re.S)
    ]


class Journey:
    def __init__(self, client, path: str):
        self.client, self.path = client, path

    def start(self):
        response = self.client.post(f"{self.path}/start")
        assert response.status_code == 302, response.status_code
        return response.location

    def page(self, name: str, **query):
        return self.client.get(f"{self.path}/page/{name}", query_string=query)

    def answer(self, name: str, data: dict | None = None, **query):
        """Open the page (as a browser would), then post `data` with the fields it showed."""
        shown = shown_fields(self.page(name, **query).get_data(as_text=True))
        form = {"_shown": shown, **(data or {})}
        return self.client.post(f"{self.path}/page/{name}", data=form, query_string=query)

    def check(self):
        return self.client.get(f"{self.path}/check")

    def submit(self):
        """Submit, following the redirect to the completion page as a browser would."""
        return self.client.post(f"{self.path}/submit", follow_redirects=True)

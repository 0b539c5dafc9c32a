"""Static files: versioned URLs cached for a year, gzip for text, 304 on revalidation, no escape from the folder."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "surveyapp" / "static"


def _versioned_css_url(client, import_survey, invite) -> str:
    survey = import_survey("single_choice")
    _, _, path = invite(survey)
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<link rel="stylesheet" href="(/static/dist/app\.css\?v=[0-9a-f]+)"', html)
    assert match, "the page links its stylesheet by a versioned URL"
    return match.group(1)


def test_page_links_the_stylesheet_by_its_content_hash(client, import_survey, invite):
    need_assets()
    url = _versioned_css_url(client, import_survey, invite)
    digest = hashlib.sha256((STATIC / "dist" / "app.css").read_bytes()).hexdigest()[:16]
    assert url.endswith(f"?v={digest}")


def test_versioned_url_is_cached_for_a_year_and_unversioned_for_an_hour(client, import_survey, invite):
    need_assets()
    url = _versioned_css_url(client, import_survey, invite)
    versioned = client.get(url)
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["X-Content-Type-Options"] == "nosniff"
    plain = client.get("/static/dist/app.css")
    assert plain.headers["Cache-Control"] == "public, max-age=3600"
    stale = client.get("/static/dist/app.css?v=0000000000000000")
    assert stale.headers["Cache-Control"] == "public, max-age=3600", "an old version is not pinned for a year"


def test_text_files_are_gzipped_for_clients_that_accept_it(client):
    need_assets()
    original = (STATIC / "dist" / "app.css").read_bytes()
    zipped = client.get("/static/dist/app.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == original
    assert len(zipped.get_data()) < len(original) / 3
    plain = client.get("/static/dist/app.css")
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == original
    assert plain.headers["Content-Type"].startswith("text/css")


def test_javascript_modules_keep_plain_urls_so_imports_share_one_copy(client, import_survey, invite):
    survey = import_survey("single_choice")
    _, _, path = invite(survey)
    html = client.get(path).get_data(as_text=True)
    assert '<script type="module" src="/static/js/init.js"></script>' in html
    js = client.get("/static/js/init.js", headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and js.headers["Cache-Control"] == "public, max-age=3600"


def test_revalidation_answers_304(client):
    first = client.get("/static/favicon.svg")
    etag = first.headers["ETag"]
    again = client.get("/static/favicon.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


@pytest.mark.parametrize(
    "path",
    ["/static/nope.css", "/static/../config.py", "/static/%2e%2e/config.py", "/static/js/", "/static/..%2fwsgi.py"],
)
def test_unknown_or_escaping_paths_answer_404(client, path):
    assert client.get(path).status_code == 404


def need_assets() -> None:
    from conftest import need

    need((STATIC / "dist" / "app.css").exists(), "front-end assets not built (scripts/build_assets.sh)")

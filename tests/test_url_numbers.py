"""Numbers in URLs (issue 13, item 3): ids and query numbers of 30 digits, non-ASCII digits and the like answer
404 (no such thing) or 400 (malformed), never 500. One converter (`<id:...>`) and one parser (`query_int`)."""

from __future__ import annotations

import pytest
from auth_helpers import sign_in
from route_values import build_world

from surveyapp.numbers import MAX_ID, parse_id

HUGE = "9" * 30


@pytest.fixture
def world(app, import_survey, invite):
    return build_world(import_survey, invite)


def _as(app, world, role):
    client = app.test_client()
    sign_in(client, world["users"][role])
    return client


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        ("0", None),
        (str(MAX_ID + 1), None),
        (HUGE, None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("1e3", None),
        (" 1", None),
        ("", None),
    ],
)
def test_parse_id_takes_ascii_digits_in_the_database_s_range(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/interviews/{HUGE}"),
        ("GET", f"/interviews/{HUGE}/check"),
        ("GET", f"/interviews/{HUGE}/page/consent"),
        ("POST", f"/interviews/{HUGE}/submit"),
        ("GET", "/interviews/%C2%B2"),
        ("GET", "/interviews/%D9%A3"),
        ("GET", "/interviews/0"),
        ("GET", f"/interviews/{MAX_ID + 1}"),
    ],
)
def test_an_interview_id_out_of_range_is_not_found(app, world, method, path):
    assert _as(app, world, "volunteer").open(path, method=method).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/admin/users/{HUGE}/assignments"),
        ("POST", f"/admin/users/{HUGE}/assignments"),
        ("POST", f"/admin/users/{HUGE}/deactivate"),
        ("POST", f"/admin/users/{HUGE}/reactivate"),
        ("POST", f"/admin/responses/{HUGE}/void"),
        ("GET", f"/admin/contacts/{HUGE}/erase"),
        ("POST", "/admin/contacts/%C2%B2/erase"),
        ("POST", "/admin/surveys/no-such-survey/status/open"),
    ],
)
def test_an_admin_object_that_cannot_exist_is_not_found(app, world, method, path):
    assert _as(app, world, "admin").open(path, method=method).status_code == 404


QUERY_CASES = [
    ("admin", "/admin/contacts?page={}"),
    ("admin", "/admin/outbox?page={}"),
    ("admin", "/admin/surveys/dash-mix/invitations?page={}"),
    ("admin", "/admin/audit?user={}"),
    ("admin", "/admin/surveys/dash-mix/definition?version={}"),
    ("analyst", "/dashboards/dash-mix/results?version={}"),
    ("analyst", "/dashboards/dash-mix/text/comment?page={}"),
    ("analyst", "/dashboards/dash-mix/export/responses.csv?version={}"),
    ("analyst", "/api/surveys/dash-mix/results?version={}"),
]


@pytest.mark.parametrize(("role", "url"), QUERY_CASES)
@pytest.mark.parametrize(
    ("value", "status"), [(HUGE, 404), (str(MAX_ID + 1), 404), ("0", 404), ("%C2%B2", 400), ("%D9%A3", 400), ("x", 400)]
)
def test_a_query_number_that_is_malformed_or_out_of_range_is_refused(app, world, role, url, value, status):
    response = _as(app, world, role).get(url.format(value))
    assert response.status_code == status, (url.format(value), response.status_code)


@pytest.mark.parametrize(("role", "url"), QUERY_CASES)
def test_a_good_query_number_still_works(app, world, role, url):
    assert _as(app, world, role).get(url.format(1)).status_code == 200, url.format(1)

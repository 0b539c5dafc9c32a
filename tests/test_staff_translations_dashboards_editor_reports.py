"""Dashboards, the questionnaire editor and reports in the browser's language (issue 18): Welsh with
`Accept-Language: cy`, Urdu (right to left) with `Accept-Language: ur`, English without the header; chart titles
in the Plotly JSON translated and still escaped; a hostile survey title still escaped in the translated page."""

from __future__ import annotations

import html
import json
import re

import pytest
from dashboard_data import add_contact, respond
from flask import url_for
from test_dashboard_views import HOSTILE_LABEL, HOSTILE_TEXT, HOSTILE_YAML, sign_in

from surveyapp.extensions import db
from surveyapp.models import ReportBack
from surveyapp.services import report_backs

WELSH, URDU = {"Accept-Language": "cy"}, {"Accept-Language": "ur"}


@pytest.fixture
def hostile(import_survey):
    """The hostile survey (title, question and choice labels that are markup), answered by nine contacts."""
    survey = import_survey("hostile", text=HOSTILE_YAML)
    for i in range(9):
        respond(
            survey,
            {"pick": "bad" if i % 2 else "good", "said": HOSTILE_TEXT},
            add_contact(f"h{i}@example.org", area="north" if i < 5 else "south"),
        )
    db.session.commit()
    return survey


@pytest.fixture
def admin(client):
    sign_in(client, "admin")
    return client


def page_text(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return response.get_data(as_text=True)


def html_tag(text: str) -> str:
    return re.search(r"<html[^>]*>", text).group(0)


def h1(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1))).strip()


def assert_hostile_title_escaped(text: str) -> None:
    assert "Hostile &lt;script&gt;alert(" in text
    assert HOSTILE_TEXT not in text and HOSTILE_LABEL not in text


def figures(text: str) -> dict[str, dict]:
    """The page's Plotly figures by chart id, as dashboards.js reads them."""
    found = re.findall(r'<script type="application/json" class="app-figure" data-target="([^"]+)">(.*?)</script>', text)
    return {target: json.loads(body) for target, body in found}


def axis_title(figure: dict, axis: str) -> str:
    return figure["layout"][axis]["title"]["text"]


# -- response rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, lang, heading, words",
    [
        (WELSH, 'lang="cy"', "Cyfraddau ymateb", ["Pwy sydd wedi ateb", "Gwahoddiadau ac ymatebion", "Wedi’u gwahodd"]),
        (URDU, 'lang="ur" dir="rtl"', "جواب کی شرحیں", ["کس نے جواب دیا ہے", "دعوت نامے اور جوابات", "مدعو"]),
        ({}, 'lang="en"', "Response rates", ["Who has answered", "Invitations and responses", "Invited"]),
    ],
)
def test_the_response_rates_dashboard_speaks_the_browser_s_language(admin, hostile, headers, lang, heading, words):
    text = page_text(admin.get("/dashboards/hostile/?by=area", headers=headers))
    assert lang in html_tag(text)
    assert h1(text) == heading
    for word in words:
        assert word in text
    assert_hostile_title_escaped(text)
    if headers:
        assert "Who has answered" not in text and "Response rate by area" not in text
        segments = figures(text)["chart-segments"]
        assert axis_title(segments, "yaxis") in ("cyfradd ymateb (%)", "جواب کی شرح (%)")


# -- results ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, heading, axis, respondents",
    [
        (WELSH, "Canlyniadau", "% o’r rhai a atebodd", "9 ymateb wedi’i gwblhau."),
        (URDU, "نتائج", "جواب دینے والوں کا %", "9 مکمل جوابات۔"),
        ({}, "Results", "% of those who answered", "9 completed responses."),
    ],
)
def test_the_results_dashboard_and_its_chart_titles_are_translated_and_labels_stay_escaped(
    admin, hostile, headers, heading, axis, respondents
):
    text = page_text(admin.get("/dashboards/hostile/results?exact=1&xq=pick&xby=area", headers=headers))
    assert h1(text) == heading
    assert respondents in text
    assert_hostile_title_escaped(text)
    charts = figures(text)
    assert axis_title(charts["chart-pick"], "xaxis") == axis
    # the answers' labels (a questionnaire author's text) reach Plotly escaped, the translated words beside them
    assert any("&lt;img src=x" in label for label in charts["chart-pick"]["data"][0]["y"])
    crosstab = charts["chart-crosstab"]
    assert all("<img" not in trace["name"] for trace in crosstab["data"])
    # nothing unescaped can end the JSON block or start markup in the page
    assert "<img src=x" not in text


def test_a_results_filter_error_is_in_the_browser_s_language(admin, hostile):
    text = page_text(admin.get("/dashboards/hostile/results?from=2026-13-45", headers=WELSH))
    assert "Rhaid i’r dyddiad dechrau fod yn ddyddiad fel 2026-03-27" in text
    text = page_text(admin.get("/dashboards/hostile/results?from-day=3&from-year=2026", headers=URDU))
    assert "ابتدائی تاریخ میں مہینہ شامل ہونا چاہیے" in text


# -- the editor -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, lang, caption, button",
    [
        (WELSH, 'lang="cy"', "Golygydd holiaduron", "Ychwanegu’r dudalen"),
        (URDU, 'lang="ur" dir="rtl"', "سوالنامہ ایڈیٹر", "صفحہ شامل کریں"),
        ({}, 'lang="en"', "Questionnaire editor", "Add the page"),
    ],
)
def test_the_editor_s_survey_page_speaks_the_browser_s_language(admin, hostile, headers, lang, caption, button):
    text = page_text(admin.get("/admin/surveys/hostile/editor", headers=headers))
    assert lang in html_tag(text)
    assert caption in text and button in text
    assert "Pick &lt;script&gt;alert(" in text and HOSTILE_TEXT not in text
    assert "Hostile &lt;script&gt;alert(" in text


@pytest.mark.parametrize(
    "headers, heading, error, label",
    [
        (WELSH, "Golygu’r cwestiwn", "Rhowch y cwestiwn", "Math o gwestiwn"),
        (URDU, "سوال میں ترمیم کریں", "سوال درج کریں", "سوال کی قسم"),
        ({}, "Edit the question", "Enter the question", "Type of question"),
    ],
)
def test_the_question_form_with_an_error_is_in_the_browser_s_language(admin, hostile, headers, heading, error, label):
    response = admin.post(
        "/admin/surveys/hostile/editor/questions/pick", data={"label": "", "qtype": "single_choice"}, headers=headers
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert h1(text) == heading
    assert error in text and label in text
    assert HOSTILE_TEXT not in text


def test_an_editor_flash_message_is_in_the_browser_s_language(admin, hostile):
    response = admin.post("/admin/surveys/hostile/editor/pages", data={"title": "Ail dudalen"}, headers=WELSH)
    assert response.status_code == 302
    text = page_text(admin.get(response.location, headers=WELSH))
    assert "Tudalen “Ail dudalen” wedi’i hychwanegu: nawr ychwanegwch ei chwestiynau." in text


# -- reports ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, lang, words",
    [
        (WELSH, 'lang="cy"', ["Beth ddywedodd pobl", "Ymatebion wedi’u cwblhau", "Wedi’i ateb gan 9."]),
        (URDU, 'lang="ur" dir="rtl"', ["لوگوں نے کیا کہا", "مکمل جوابات", "9 نے جواب دیا۔"]),
        ({}, 'lang="en"', ["What people said", "Completed responses", "Answered by 9."]),
    ],
)
def test_the_printable_report_speaks_the_browser_s_language(admin, hostile, headers, lang, words):
    text = page_text(admin.get("/dashboards/hostile/report?exact=1", headers=headers))
    assert lang in html_tag(text)
    for word in words:
        assert word in text
    assert_hostile_title_escaped(text)


@pytest.mark.parametrize(
    "headers, words",
    [
        (WELSH, ["Adroddiad yn ôl · Hostile &lt;script&gt;", "Camau gweithredu", "Cyfradd ymateb yn ôl area"]),
        (URDU, ["رپورٹ بیک · Hostile &lt;script&gt;", "اقدامات", "جواب کی شرح بلحاظ area"]),
        ({}, ["Report back · Hostile &lt;script&gt;", "Actions", "Response rate by area"]),
    ],
)
def test_a_report_back_page_speaks_the_browser_s_language(app, admin, hostile, headers, words):
    from surveyapp.models import User

    author = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
    report = report_backs.create_report(db.session, hostile, "Autumn <b>sheet</b>", "Group", created_by_id=author.id)
    report_backs.add_section(report, heading="Rates", figure_kind="rate_by_area", figure_params={"by": "area"})
    db.session.commit()
    with app.test_request_context():
        path = url_for("reports.edit", report_id=report.id)
    text = page_text(admin.get(path, headers=headers))
    for word in words:
        assert word in text
    assert "Autumn &lt;b&gt;sheet&lt;/b&gt;" in text and HOSTILE_TEXT not in text
    assert db.session.get(ReportBack, report.id) is not None


@pytest.mark.parametrize(
    "headers, meeting, finalised",
    [
        (WELSH, "1 Ionawr 2026", "Terfynol, 3 Chwefror 2026."),
        (URDU, "1 جنوری 2026", "3 فروری 2026"),
        ({}, "1 January 2026", "Final, 3 February 2026."),
    ],
)
def test_dates_on_a_report_back_name_the_month_in_the_page_s_language(app, admin, hostile, headers, meeting, finalised):
    import datetime

    report = report_backs.create_report(
        db.session, hostile, "Winter sheet", "Group", meeting_date=datetime.date(2026, 1, 1)
    )
    report_backs.finalise(db.session, report, now=datetime.datetime(2026, 2, 3, 12, 0, tzinfo=datetime.UTC))
    db.session.commit()
    with app.test_request_context():
        edit, printed = url_for("reports.edit", report_id=report.id), url_for("reports.print_view", report_id=report.id)
    for path in (edit, printed, "/reports/"):
        text = page_text(admin.get(path, headers=headers))
        assert meeting in text, path
        if headers:
            assert "January" not in text, path
    assert finalised in page_text(admin.get(printed, headers=headers))


@pytest.mark.parametrize(
    "headers, notice",
    [
        (
            WELSH,
            "Rhagolwg o’r drafft: nid yw atebion yn cael eu cadw. Ewch yn ôl i’r golygydd gyda’r ddolen Yn ôl. "
            "Rhagolwg fel cyswllt gyda area: north; first_name: &lt;i&gt;Ann&lt;/i&gt;.",
        ),
        (
            URDU,
            "ایک ایسے رابطے کے طور پر پیش نظارہ جس کی تفصیلات یہ ہیں: area: north; first_name: &lt;i&gt;Ann&lt;/i&gt;۔",
        ),
        ({}, "Previewing as a contact with area: north; first_name: &lt;i&gt;Ann&lt;/i&gt;."),
    ],
)
def test_the_preview_as_notice_is_in_the_staff_member_s_language(admin, import_survey, headers, notice):
    import_survey("piping", status="draft")
    data = {"as-area": "north", "as-first_name": "<i>Ann</i>"}
    text = page_text(admin.post("/admin/surveys/piping/editor/preview-as", data=data, headers=headers))
    assert notice in text
    if headers:
        assert "Previewing as" not in text and "answers are not stored" not in text

"""Survey settings on the survey's admin page: reminders, closing date and public link, each change audited, no new
version, refused values shown again as typed, and the editor's draft following (services/survey_settings.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auth_helpers import make_user, sign_in
from conftest import csrf_token_from, make_app
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey
from surveyapp.services import drafts
from surveyapp.services.survey_settings import SettingsError, SurveySettings, change_settings, current_settings

FUTURE = date.today() + timedelta(days=30)


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _survey(slug: str = "test-short-text") -> Survey:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def _form(**values) -> dict:
    form = {
        "reminder_max": "2",
        "reminder_interval_days": "7",
        "closes_on-day": "",
        "closes_on-month": "",
        "closes_on-year": "",
    }
    form.update(values)
    return {k: v for k, v in form.items() if v is not None}


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_each_setting_is_saved_audited_and_shown_without_a_new_version(admin_client, import_survey):
    survey = import_survey("short_text")
    assert survey.public_key is None and not survey.public_link_enabled
    response = admin_client.post(
        "/admin/surveys/test-short-text/settings",
        data=_form(
            reminder_max="4",
            reminder_interval_days="10",
            **{
                "closes_on-day": str(FUTURE.day),
                "closes_on-month": str(FUTURE.month),
                "closes_on-year": str(FUTURE.year),
            },
            public_link="y",
        ),
    )
    assert response.status_code == 302 and response.location.endswith("/admin/surveys/test-short-text#settings")
    survey = _survey()
    assert (survey.reminder_max, survey.reminder_interval_days, survey.closes_on) == (4, 10, FUTURE)
    assert survey.public_link_enabled and survey.public_key  # turning the link on made its key
    assert [v.number for v in survey.versions] == [1]
    assert _audit("survey.reminder_max")[0].detail == "reminder_max: 2 -> 4"
    assert _audit("survey.reminder_interval_days")[0].detail == "reminder_interval_days: 7 -> 10"
    assert _audit("survey.closes_on")[0].detail == f"closes_on: none -> {FUTURE.isoformat()}"
    assert _audit("survey.public_link")[0].detail == "public_link: off -> on"
    assert _audit("survey.public_link")[0].actor == "admin@example.org"
    page = admin_client.get("/admin/surveys/test-short-text").text
    assert "4 at most, 10 days apart" in page and f"{FUTURE.day} {FUTURE:%B %Y}" in page
    assert f"/p/{survey.public_key}</code>" in page and "&lt;code&gt;" not in page
    assert "/admin/surveys/test-short-text/templates/invitation" in page and "Reminder email</a> (default)" in page
    assert 'name="reminder_max"' in page and 'value="4"' in page and f'value="{FUTURE.year}"' in page


def test_saving_the_same_values_audits_nothing_and_the_link_keeps_its_key(admin_client, import_survey):
    import_survey("short_text")
    admin_client.post("/admin/surveys/test-short-text/settings", data=_form(public_link="y"))
    key = _survey().public_key
    admin_client.post("/admin/surveys/test-short-text/settings", data=_form())  # off
    admin_client.post("/admin/surveys/test-short-text/settings", data=_form(public_link="y"))  # on again
    assert _survey().public_key == key
    assert [e.detail for e in _audit("survey.public_link")] == [
        "public_link: off -> on",
        "public_link: on -> off",
        "public_link: off -> on",
    ]
    assert _audit("survey.reminder_max") == []
    admin_client.post("/admin/surveys/test-short-text/settings", data=_form(public_link="y"))
    assert len(_audit("survey.public_link")) == 3


def test_the_closing_date_can_be_removed(admin_client, import_survey):
    survey = import_survey("short_text")
    survey.closes_on = FUTURE
    db.session.commit()
    assert admin_client.post("/admin/surveys/test-short-text/settings", data=_form()).status_code == 302
    assert _survey().closes_on is None
    assert _audit("survey.closes_on")[0].detail == f"closes_on: {FUTURE.isoformat()} -> none"


@pytest.mark.parametrize(
    ("values", "message", "typed"),
    [
        ({"reminder_max": "11"}, "The number of reminders must be a whole number from 0 to 10", 'value="11"'),
        ({"reminder_max": "ten"}, "The number of reminders must be a whole number from 0 to 10", 'value="ten"'),
        ({"reminder_max": ""}, "The number of reminders must be a whole number from 0 to 10", None),
        ({"reminder_max": "-1"}, "The number of reminders must be a whole number from 0 to 10", 'value="-1"'),
        ({"reminder_interval_days": "0"}, "The days between reminders must be a whole number from 1 to 90", None),
        (
            {"reminder_interval_days": "91"},
            "The days between reminders must be a whole number from 1 to 90",
            'value="91"',
        ),
        ({"reminder_interval_days": "9" * 100_000}, "The days between reminders must be a whole number", None),
        (
            {"closes_on-day": "31", "closes_on-month": "2", "closes_on-year": "2099"},
            "must be a real date",
            'value="31"',
        ),
        ({"closes_on-day": "1", "closes_on-year": "2099"}, "The closing date must include a month", 'value="2099"'),
        ({"closes_on-day": "1", "closes_on-month": "1", "closes_on-year": "99"}, "must be a real date", 'value="99"'),
        ({"closes_on-day": "x" * 5000, "closes_on-month": "1", "closes_on-year": "2099"}, "must be a real date", None),
        ({"closes_on-day": "1", "closes_on-month": "1", "closes_on-year": "2020"}, "today or in the future", None),
        (
            {"reminder_max": "<script>alert(1)</script>"},
            "The number of reminders",
            'value="&lt;script&gt;alert(1)&lt;/script&gt;"',
        ),
    ],
)
def test_a_refused_value_is_shown_again_with_its_message_and_nothing_changes(
    admin_client, import_survey, values, message, typed
):
    import_survey("short_text")
    response = admin_client.post("/admin/surveys/test-short-text/settings", data=_form(**values))
    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page and "<title>Error:" in page
    assert message in page and page.count(message) >= 2  # in the error summary and beside the field
    assert "<script>alert(1)</script>" not in page
    if typed:
        assert typed in page
    survey = _survey()
    assert (survey.reminder_max, survey.reminder_interval_days, survey.closes_on) == (2, 7, None)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("survey.%"))) is None


def test_a_closing_date_already_past_may_stay_while_other_settings_change(admin_client, import_survey):
    survey = import_survey("short_text")
    survey.closes_on = date(2020, 1, 31)
    db.session.commit()
    response = admin_client.post(
        "/admin/surveys/test-short-text/settings",
        data=_form(reminder_max="3", **{"closes_on-day": "31", "closes_on-month": "1", "closes_on-year": "2020"}),
    )
    assert response.status_code == 302
    assert (_survey().reminder_max, _survey().closes_on) == (3, date(2020, 1, 31))


def test_unknown_survey_is_404_and_only_admins_may_change_settings(app, admin_client, import_survey):
    import_survey("short_text")
    assert admin_client.post("/admin/surveys/no-such/settings", data=_form()).status_code == 404
    for role in ("analyst", "volunteer"):
        client = app.test_client()
        sign_in(client, make_user(f"{role}@example.org", role))
        assert client.post("/admin/surveys/test-short-text/settings", data=_form(reminder_max="5")).status_code == 403
    anonymous = app.test_client().post("/admin/surveys/test-short-text/settings", data=_form(reminder_max="5"))
    assert anonymous.status_code in (302, 401) and "/login" in (anonymous.location or "/login")
    assert _survey().reminder_max == 2


def test_without_the_csrf_token_the_post_is_refused(database_url, import_survey):
    import_survey("short_text")
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        sign_in(client, make_user("admin@example.org", "admin"))
        assert client.post("/admin/surveys/test-short-text/settings", data=_form(reminder_max="5")).status_code == 400
        page = client.get("/admin/surveys/test-short-text").text
        token = csrf_token_from(page.split('action="/admin/surveys/test-short-text/settings"', 1)[1])
        ok = client.post("/admin/surveys/test-short-text/settings", data=_form(reminder_max="5", csrf_token=token))
        assert ok.status_code == 302
    assert _survey().reminder_max == 5


def test_a_change_on_the_page_goes_into_the_draft_and_publishing_keeps_it(admin_client, import_survey):
    import_survey("short_text")
    # An edit in the editor makes a draft of version 1 (whose settings name none of these).
    admin_client.post("/admin/surveys/test-short-text/editor/details", data={"title": "Short text, edited"})
    assert _survey().draft_definition is not None
    admin_client.post(
        "/admin/surveys/test-short-text/settings",
        data=_form(
            reminder_max="0",
            **{
                "closes_on-day": str(FUTURE.day),
                "closes_on-month": str(FUTURE.month),
                "closes_on-year": str(FUTURE.year),
            },
            public_link="y",
        ),
    )
    settings = _survey().draft_definition["settings"]
    assert settings == {"reminder_max": 0, "closes_on": FUTURE.isoformat(), "public_link": True}
    assert admin_client.post("/admin/surveys/test-short-text/editor/publish").status_code == 302
    survey = _survey()
    assert survey.title == "Short text, edited" and survey.draft_definition is None
    assert (survey.reminder_max, survey.closes_on, survey.public_link_enabled) == (0, FUTURE, True)


def test_a_draft_started_after_a_change_on_the_page_starts_from_it(admin_client, import_survey):
    import_survey("short_text")
    admin_client.post("/admin/surveys/test-short-text/settings", data=_form(reminder_interval_days="30"))
    assert _survey().draft_definition is None  # the page does not start a draft
    admin_client.post("/admin/surveys/test-short-text/editor/details", data={"title": "Reworded"})
    assert _survey().draft_definition["settings"] == {"reminder_interval_days": 30}
    admin_client.post("/admin/surveys/test-short-text/editor/publish")
    survey = _survey()
    assert survey.reminder_interval_days == 30 and [v.number for v in survey.versions] == [1]


def test_importing_a_file_that_names_a_setting_sets_it_again(app, import_survey):
    survey = import_survey("short_text")
    change_settings(db.session, survey, SurveySettings(5, 7, None, False), today=date.today())
    db.session.commit()
    text = (
        "slug: test-short-text\ntitle: Short text\nsettings:\n  reminder_max: 1\npages:\n  - name: main\n"
        "    title: Main\n    questions:\n      - {name: full_name, type: short_text, label: Name}\n"
    )
    import_survey("short_text", text=text)
    assert _survey().reminder_max == 1


def test_the_service_refuses_out_of_range_values_and_changes_nothing(app, import_survey):
    survey = import_survey("short_text")
    for bad, field in (
        (SurveySettings(11, 7, None, False), "reminder_max"),
        (SurveySettings(2, 0, None, False), "reminder_interval_days"),
        (SurveySettings(2, 7, date(2000, 1, 1), False), "closes_on"),
    ):
        with pytest.raises(SettingsError) as refused:
            change_settings(db.session, survey, bad, today=date.today())
        assert refused.value.field == field
    assert current_settings(survey) == SurveySettings(2, 7, None, False)
    assert drafts.draft_of(survey).get("settings") is None

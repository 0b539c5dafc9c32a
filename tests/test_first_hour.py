"""A group's first hour: the home page, the invitations page in the order of the work, emails that say who
asks and by when, times in the organisation's zone, the opt-out page reached from List-Unsubscribe, the
demo's round with reminders due, and the partial plotly.js bundle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from auth_helpers import make_user, sign_in
from sqlalchemy import func, select

from config import ConfigError, config_from_env
from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations, reminder_candidates
from surveyapp.models import AuditEvent, Contact, Invitation, OutboundEmail, Survey, utcnow
from surveyapp.services import invitations as invitation_service
from surveyapp.services.links import invitation_token

ORGANISED = """slug: carers-test
title: Carers' test survey
settings:
  reminder_max: 2
  reminder_interval_days: 7
  closes_on: 2027-03-31
  organisation: Northshire Carers' Network
pages:
  - name: main
    title: Your views
    questions:
      - {name: views, type: short_text, label: "What do you think?"}
"""


@pytest.fixture
def admin(client):
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


@pytest.fixture
def survey(import_survey):
    return import_survey("carers-test", text=ORGANISED)


def _invite(survey, email, name=None, emailed_days_ago=None):
    contact = Contact(email=email, name=name)
    db.session.add(contact)
    db.session.flush()
    invitation = invitation_service.invite(db.session, survey, contacts=[contact])[0]
    if emailed_days_ago is not None:
        invitation.emailed_at = invitation.last_emailed_at = utcnow() - timedelta(days=emailed_days_ago)
    db.session.commit()
    return invitation


# The home page


def test_home_page_says_what_this_is_and_links_to_sign_in(client):
    html = client.get("/").get_data(as_text=True)
    assert "Voice Survey" in html and "health and social-care feedback" in html
    assert 'href="/login"' in html and "Sign in" in html
    # Every staff page's service name leads back here; a respondent's pages show the survey's title instead.
    assert '<a href="/" class="govuk-service-navigation__link">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(("role", "home"), [("admin", "/admin/"), ("volunteer", "/interviews/")])
def test_home_page_links_a_signed_in_person_to_their_roles_home(client, role, home):
    sign_in(client, make_user(f"{role}@example.org", role))
    html = client.get("/").get_data(as_text=True)
    assert f'id="role-home" href="{home}' in html and 'id="sign-in"' not in html


# The invitations page


def test_no_list_is_chosen_for_the_admin_and_inviting_without_one_invites_no_one(app, admin, survey):
    import_contacts(db.session, "email\na@example.org\nb@example.org\n", "Carers")
    db.session.commit()
    html = admin.get("/admin/surveys/carers-test/invitations").get_data(as_text=True)
    assert '<option value="" selected>Choose a list</option>' in html
    assert html.index("1. Choose who to invite") < html.index("3. Send the invitations")
    assert html.index("3. Send the invitations") < html.index("4. Remind")
    admin.post("/admin/surveys/carers-test/invitations/create", data={"list_name": ""})
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    page = admin.get("/admin/surveys/carers-test/invitations?list_name=&check=1")
    assert "Choose who to invite: a contact list, or all contacts." in page.get_data(as_text=True)


def test_checking_a_list_shows_the_count_and_the_email_for_one_of_its_contacts(app, admin, survey):
    import_contacts(db.session, "email,name\ncara@example.org,Cara Jones\ndan@example.org,Dan Smith\n", "Carers")
    import_contacts(db.session, "email,name\ngp@example.org,Dr Other\n", "GPs")
    db.session.commit()
    html = admin.get("/admin/surveys/carers-test/invitations?list_name=Carers&where=&check=1").get_data(as_text=True)
    assert "<strong>2</strong> contact(s) not invited yet would be invited from the list “Carers”" in html
    assert "as Cara Jones would receive it" in html and "Dear Cara Jones" in html
    assert "Dr Other" not in html and "Alex Example" not in html
    assert "It is run by Northshire Carers&#39; Network" in html and "Please answer by 31 March 2027" in html
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0  # checking changes nothing
    admin.post("/admin/surveys/carers-test/invitations/create", data={"list_name": "Carers", "where": ""})
    invited = set(db.session.scalars(select(Contact.email).join(Invitation, Invitation.contact_id == Contact.id)))
    assert invited == {"cara@example.org", "dan@example.org"}


def test_all_contacts_must_be_chosen_explicitly(app, admin, survey):
    import_contacts(db.session, "email\na@example.org\n", "One")
    import_contacts(db.session, "email\nb@example.org\n", "Two")
    db.session.commit()
    admin.post("/admin/surveys/carers-test/invitations/create", data={"list_name": "__all__"})
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_the_survey_page_links_to_its_invitations(admin, survey):
    html = admin.get("/admin/surveys/carers-test").get_data(as_text=True)
    assert 'href="/admin/surveys/carers-test/invitations"' in html


def test_nothing_due_says_so_plainly_and_queues_nothing(app, admin, survey):
    _invite(survey, "recent@example.org", emailed_days_ago=1)  # reminded too soon
    html = admin.get("/admin/surveys/carers-test/invitations").get_data(as_text=True)
    assert "No reminders are due now." in html and "Send reminders</button>" not in html
    page = admin.post("/admin/surveys/carers-test/invitations/remind", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "No reminders are due now, so none were sent." in html
    assert "0 reminder(s) queued" not in html and "govuk-notification-banner--success" not in html
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "invitations.remind")) == 0


def test_due_reminders_are_previewed_for_a_real_contact_and_queued(app, admin, survey):
    _invite(survey, "late@example.org", name="Lee Late", emailed_days_ago=10)
    html = admin.get("/admin/surveys/carers-test/invitations").get_data(as_text=True)
    assert "<strong>1</strong> invitation(s) can be reminded now." in html
    assert "The reminder, as Lee Late would receive it" in html and "Dr Alex Example" not in html
    page = admin.post("/admin/surveys/carers-test/invitations/remind", follow_redirects=True)
    assert "1 reminder(s) queued" in page.get_data(as_text=True)
    message = db.session.scalar(select(OutboundEmail))
    assert message.kind == "reminder" and "Northshire Carers' Network asked for your views" in message.body_text
    assert "Please answer by 31 March 2027" in message.body_text


def test_the_template_editor_shows_the_organisation_and_closing_date_it_will_use(app, admin, survey):
    html = admin.get("/admin/surveys/carers-test/templates/invitation").get_data(as_text=True)
    assert "is “Northshire Carers&#39; Network”" in html and "is “31 March 2027”" in html


def test_the_organisation_comes_from_the_setting_when_the_survey_names_none(app, import_survey):
    app.config["SURVEYAPP_ORGANISATION"] = "Westshire Healthwatch"
    survey = import_survey("mail_invitation")
    invitation = _invite(survey, "a@example.org")
    queue_invitations(db.session, survey)
    db.session.commit()
    body = db.session.scalar(select(OutboundEmail.body_text).where(OutboundEmail.invitation_id == invitation.id))
    assert "It is run by Westshire Healthwatch." in body and "With thanks from Westshire Healthwatch" in body


# Times in the organisation's zone


def test_times_are_shown_in_the_organisations_time_zone(app, admin, survey):
    invitation = _invite(survey, "summer@example.org")
    invitation.emailed_at = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)  # 12:30 in London (BST)
    invitation.last_emailed_at = datetime(2026, 12, 1, 11, 30, tzinfo=UTC)  # 11:30 in London (GMT)
    db.session.commit()
    html = admin.get("/admin/surveys/carers-test/invitations").get_data(as_text=True)
    assert "1 Jul 2026, 12:30" in html and "1 Dec 2026, 11:30" in html
    app.config["SURVEYAPP_TIMEZONE"] = "America/New_York"
    html = admin.get("/admin/surveys/carers-test/invitations").get_data(as_text=True)
    assert "1 Jul 2026, 07:30" in html


def test_an_unknown_time_zone_is_a_configuration_error():
    with pytest.raises(ConfigError, match="SURVEYAPP_TIMEZONE"):
        config_from_env({"SURVEYAPP_ENV": "development", "SURVEYAPP_TIMEZONE": "Mars/Olympus"})
    assert config_from_env({"SURVEYAPP_ENV": "development"})["SURVEYAPP_TIMEZONE"] == "Europe/London"


# Opting out from the List-Unsubscribe link in a browser


def test_the_list_unsubscribe_page_posts_to_the_opt_out_page_and_ends_reminders(app, client, survey):
    invitation = _invite(survey, "out@example.org", emailed_days_ago=10)
    token = invitation_token(invitation)
    assert invitation.id in {i.id for i in db.session.scalars(reminder_candidates(survey, utcnow()))}
    html = client.get(f"/s/{token}/unsubscribe").get_data(as_text=True)
    assert f'action="/s/{token}/opt-out"' in html
    assert client.post(f"/s/{token}/opt-out", data={"scope": "survey"}).status_code == 200
    assert invitation.id not in {i.id for i in db.session.scalars(reminder_candidates(survey, utcnow()))}


# The demo


def test_the_demo_has_a_round_with_reminders_due_and_a_list_to_invite(app):
    from surveyapp.demo.first_round import CARERS_INVITED, CARERS_LIST, demo_summary, load_reminder_round

    assert load_reminder_round(db.session) is True
    assert load_reminder_round(db.session) is False  # once
    db.session.commit()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "carers-support"))
    assert survey.status == "open" and survey.closes_on > date.today()
    due = list(db.session.scalars(reminder_candidates(survey, utcnow())))
    assert len(due) == CARERS_INVITED - 2  # the invited carers who have not answered
    summary = demo_summary(db.session)
    assert "/admin/surveys/carers-support/invitations" in summary and CARERS_LIST in summary


def test_demo_reset_is_refused_in_production(app, runner):
    from surveyapp.demo.first_round import load_reminder_round

    load_reminder_round(db.session)
    db.session.commit()
    app.config["SURVEYAPP_ENV"] = "production"
    result = runner.invoke(args=["demo", "--reset"])
    app.config["SURVEYAPP_ENV"] = "testing"
    assert result.exit_code == 1 and "refused in production" in result.output
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1  # nothing was dropped


def test_demo_reset_empties_the_database_and_builds_the_schema_again(tmp_path):
    from conftest import make_app

    from surveyapp.demo.first_round import load_reminder_round, reset_database

    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}")
    with app.app_context():
        reset_database()  # from nothing: the migrations build the schema
        load_reminder_round(db.session)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
        reset_database()
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
        assert load_reminder_round(db.session) is True  # and the demo loads again
        db.session.remove()
        db.engine.dispose()


# The dashboards' plotly.js


def test_the_dashboards_get_the_partial_plotly_bundle(app, client):
    from surveyapp.dashboards.routes import PLOTLY_PARTIAL_JS

    if not PLOTLY_PARTIAL_JS.is_file():
        pytest.skip("the front end is not built (make assets)")
    sign_in(client, make_user("cochair@example.org", "analyst"))
    response = client.get("/dashboards/plotly.min.js", follow_redirects=True)
    body = response.get_data()
    assert response.status_code == 200 and len(body) < 2_000_000  # the full bundle is 4.8 MB
    for trace in (b"funnel", b"scatter", b"bar"):
        assert trace in body

"""Admin pages for contacts, invitations, templates and the outbox; the opt-out pages; erasure; templates."""

from __future__ import annotations

import io

import pytest
from conftest import csrf_token_from, make_app
from sqlalchemy import func, select
from test_contacts_import import MESSY

from surveyapp.contacts.erasure import erase_contact
from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations
from surveyapp.mail.rendering import DEFAULTS, MessageRenderer, TemplateProblem, TemplateText, check_template
from surveyapp.mail.worker import Worker
from surveyapp.models import (
    AuditEvent,
    Contact,
    ContactAttribute,
    Invitation,
    MessageTemplate,
    OutboundEmail,
    Response,
)
from surveyapp.services import invitations as invitation_service
from surveyapp.services.links import invitation_token
from surveyapp.services.users import create_user

PASSWORD = "a-long-test-password-123"
ADMIN_PAGES = [
    "/admin/contacts",
    "/admin/contacts/upload",
    "/admin/outbox",
    "/admin/surveys/mail-test/invitations",
    "/admin/surveys/mail-test/templates/invitation",
]


def sign_in(client, email="admin@example.org", role="admin"):
    create_user(db.session, email, role, PASSWORD)
    db.session.commit()
    page = client.get("/login")
    data = {"email": email, "password": PASSWORD}
    if 'name="csrf_token"' in page.get_data(as_text=True):
        data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def survey(import_survey):
    return import_survey("mail_invitation")


@pytest.fixture
def admin(client):
    sign_in(client)
    return client


def _invite(survey, email="ann@example.org", name="Dr Ann"):
    contact = Contact(email=email, name=name)
    db.session.add(contact)
    db.session.flush()
    invitation = invitation_service.invite(db.session, survey, contacts=[contact])[0]
    db.session.commit()
    return invitation, invitation_token(invitation)


def test_upload_shows_the_report_with_names_escaped(app, admin):
    page = admin.post(
        "/admin/contacts/import",
        data={"file": (io.BytesIO(MESSY), "gps.csv"), "list_name": "gps"},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in html
    assert "“not-an-email” is not a valid email address" in html
    assert "Added to list “gps”" in html
    for label, value in [("Created", 4), ("Updated", 0), ("Unchanged", 0), ("Invalid (not imported)", 4)]:
        assert f'{label}</dt><dd class="govuk-summary-list__value">{value}</dd>' in html
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "contacts.import")).startswith(
        "created 4, updated 0"
    )
    listing = admin.get("/admin/contacts").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert(1)" not in listing


def test_upload_without_an_email_column_is_an_error_on_the_page(app, admin):
    page = admin.post(
        "/admin/contacts/import", data={"file": (io.BytesIO(b"name\nX\n"), "x.csv")}, content_type="multipart/form-data"
    )
    assert page.status_code == 400 and "No email column" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_pages_are_for_admins_only(app, client, survey, path):
    assert client.get(path).status_code == 302  # to sign in
    sign_in(client, "cochair@example.org", "analyst")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_pages_render_for_an_admin(app, admin, survey, path):
    assert admin.get(path).status_code == 200


def test_admin_invites_sends_and_sees_states(app, admin, survey):
    import_contacts(db.session, "email,pct\na@example.org,north\nb@example.org,south\n", "wave")
    db.session.commit()
    response = admin.post(
        "/admin/surveys/mail-test/invitations/create", data={"list_name": "wave", "where": "pct=north"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
    admin.post("/admin/surveys/mail-test/invitations/send")
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 1
    app.config["MAIL_SERVER"] = None
    Worker().run_pass()
    html = admin.get("/admin/surveys/mail-test/invitations").get_data(as_text=True)
    assert "a@example.org" in html and "Emailed" in html
    outbox = admin.get("/admin/outbox").get_data(as_text=True)
    assert "a@example.org" in outbox and "captured" in outbox


def test_captured_page_shows_messages_with_their_links_in_development(app, admin, survey):
    app.config.update(MAIL_SERVER=None, SURVEYAPP_ENV="development")
    invitation, token = _invite(survey, name="<b>Ann</b>")
    queue_invitations(db.session, survey)
    db.session.commit()
    html = admin.get("/admin/outbox/captured").get_data(as_text=True)
    link = f"http://surveys.test/s/{token}"
    assert f'<a class="govuk-link" href="{link}">{link}</a>' in html
    assert "Dear &lt;b&gt;Ann&lt;/b&gt;" in html
    app.config["MAIL_SERVER"] = "smtp.example.org"
    assert admin.get("/admin/outbox/captured").status_code == 404


def test_outbox_shows_the_servers_reply_and_retry_now_makes_rows_due(app, admin, survey):
    invitation, _ = _invite(survey)
    queue_invitations(db.session, survey)
    row = db.session.scalar(select(OutboundEmail))
    row.status, row.last_error = "retrying", "451 4.7.1 <greylisted> try later"
    from datetime import timedelta

    from surveyapp.models import utcnow

    row.next_attempt_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "451 4.7.1 &lt;greylisted&gt; try later" in html and "Retry now (1 waiting)" in html
    admin.post("/admin/outbox/retry-now")
    db.session.refresh(row)
    assert row.next_attempt_at <= utcnow()
    assert db.session.scalar(select(AuditEvent.count).where(AuditEvent.action == "mail.retry_now")) == 1


def test_template_preview_save_and_refusals(app, admin, survey):
    invitation, _ = _invite(survey, name="Dr Ann")
    invitation.contact.attributes = [ContactAttribute(name="pct", value="north")]
    db.session.commit()
    url = "/admin/surveys/mail-test/templates/reminder"
    form = {
        "subject": "Nudge for {{ name }}",
        "body_text": "Hello {{ name }}\n{{ link }}\n{{ attributes.pct }}",
        "body_html": "<p>{{ name }}</p>",
    }
    page = admin.post(url, data={**form, "action": "preview"})
    html = page.get_data(as_text=True)
    # The preview is written for a real contact of this survey, not a made-up GP
    assert page.status_code == 200 and "Nudge for Dr Ann" in html and "north" in html
    assert db.session.scalar(select(func.count()).select_from(MessageTemplate)) == 0
    assert admin.post(url, data={**form, "action": "save"}).status_code == 302
    saved = db.session.scalar(select(MessageTemplate))
    assert (saved.kind, saved.subject) == ("reminder", "Nudge for {{ name }}")
    for bad, message in [
        ({"subject": "Two\nlines"}, "line break"),
        ({"body_text": "no link here"}, "must contain the personal link"),
        ({"body_text": "{{ link }} {{ secret_key }}"}, "unknown placeholder"),
        ({"body_html": "{% if %}"}, "has a mistake"),
    ]:
        page = admin.post(url, data={**form, **bad, "action": "save"})
        assert page.status_code == 400 and message in page.get_data(as_text=True), bad
    db.session.refresh(saved)
    assert saved.subject == "Nudge for {{ name }}"


def test_templates_run_in_the_sandbox_and_escape_html(app, survey):
    text = TemplateText("Hi", "{{ link }} {{ name.__class__.__mro__ }}", "<p>{{ name }}</p>")
    renderer = MessageRenderer(survey, text)
    with pytest.raises(TemplateProblem, match="cannot be rendered"):
        renderer.render("x", {}, "http://surveys.test/s/x", "http://surveys.test/s/x/opt-out")
    html = MessageRenderer(survey, TemplateText(**DEFAULTS["invitation"])).render(
        "<img src=x onerror=alert(1)>", {}, "http://surveys.test/s/x", "http://surveys.test/s/x/opt-out"
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.body_html
    with pytest.raises(TemplateProblem, match="line break"):
        MessageRenderer(survey, TemplateText("Hi {{ name }}", "{{ link }}", "")).render(
            "A\r\nBcc: victim@example.org", {}, "l", "o"
        )
    check_template(TemplateText(**DEFAULTS["reminder"]))


def test_opt_out_page_get_changes_nothing_and_post_opts_out(app, client, survey):
    invitation, token = _invite(survey)
    queue_invitations(db.session, survey)
    db.session.commit()
    page = client.get(f"/s/{token}/opt-out")
    assert page.status_code == 200 and "Opt out" in page.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.opted_out_at is None  # a mail scanner's GET does nothing
    assert client.post(f"/s/{token}/opt-out", data={"scope": "survey"}).status_code == 200
    db.session.refresh(invitation)
    assert invitation.opted_out_at is not None and invitation.contact.opted_out_at is None
    assert db.session.scalar(select(OutboundEmail.status)) == "failed"
    assert [e.kind for e in invitation.events].count("opted_out") == 1
    client.post(f"/s/{token}/opt-out", data={"scope": "all"})
    db.session.refresh(invitation.contact)
    assert invitation.contact.opted_out_at is not None
    assert client.get(f"/s/{'x' * 43}/opt-out").status_code == 404


def test_opt_out_form_needs_csrf_but_one_click_does_not(database_url, _schema):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from conftest import QUESTIONNAIRES, _empty_tables

        from surveyapp.services.surveys import import_definition, set_status

        _empty_tables()
        survey = import_definition(db.session, (QUESTIONNAIRES / "mail_invitation.yaml").read_text(), "t").survey
        set_status(db.session, survey, "open")
        invitation, token = _invite(survey)
        client = app.test_client()
        assert client.post(f"/s/{token}/opt-out", data={"scope": "all"}).status_code == 400
        html = client.get(f"/s/{token}/opt-out").get_data(as_text=True)
        assert (
            client.post(
                f"/s/{token}/opt-out", data={"scope": "survey", "csrf_token": csrf_token_from(html)}
            ).status_code
            == 200
        )
        other, other_token = _invite(survey, "ben@example.org")
        assert client.post(f"/s/{other_token}/unsubscribe", data={"List-Unsubscribe": "Other"}).status_code == 400
        assert client.get(f"/s/{other_token}/unsubscribe").status_code == 200  # the page, nothing done
        db.session.refresh(other)
        assert other.opted_out_at is None
        response = client.post(f"/s/{other_token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        db.session.refresh(other)
        assert other.opted_out_at is not None
        db.session.remove()


def test_erasure_removes_personal_data_and_keeps_the_response_counted(app, admin, runner, survey):
    invitation, token = _invite(survey, name="Dr Ann")
    db.session.add(ContactAttribute(contact_id=invitation.contact_id, name="pct", value="north"))
    queue_invitations(db.session, survey)
    db.session.add(
        Response(
            survey_id=survey.id,
            version_id=survey.current_version_id,
            respondent_key=f"inv:{invitation.id}",
            invitation_id=invitation.id,
            collection_mode="link",
            status="completed",
        )
    )
    db.session.commit()
    assert admin.get(f"/admin/contacts/{invitation.contact_id}/erase").status_code == 200
    db.session.refresh(invitation)
    assert invitation.contact.email == "ann@example.org"  # GET asked, did nothing
    assert admin.post(f"/admin/contacts/{invitation.contact_id}/erase").status_code == 302
    contact = db.session.get(Contact, invitation.contact_id)
    db.session.refresh(contact)
    assert (contact.email, contact.name, contact.attributes) == (None, None, [])
    assert contact.erased_at is not None and contact.opted_out_at is not None
    row = db.session.scalar(select(OutboundEmail))
    assert (row.to_address, row.body_text, row.status) == ("erased", "", "failed")
    assert db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "completed")) == 1
    assert (
        db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == "contact.erase"))
        == f"contact:{contact.id}"
    )
    assert "ann@example.org" not in admin.get("/admin/contacts").get_data(as_text=True)
    assert erase_contact(db.session, contact) is False


def test_erase_command(app, runner):
    import_contacts(db.session, "email\nzed@example.org\n")
    db.session.commit()
    result = runner.invoke(args=["contacts", "erase", "ZED@example.org", "--yes"])
    assert result.exit_code == 0 and "erased" in result.output
    assert db.session.scalar(select(Contact.erased_at)) is not None
    assert runner.invoke(args=["contacts", "erase", "nobody@example.org", "--yes"]).exit_code == 1

"""Services outside the blueprints; one way to find-or-404, paginate and read a POST; revoking an invitation;
the one builder of respondent URLs; status enums."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from auth_helpers import make_user, sign_in
from sqlalchemy import select

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations, queue_reminders
from surveyapp.models import (
    AuditEvent,
    Contact,
    EmailStatus,
    Invitation,
    OutboundEmail,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
    utcnow,
)
from surveyapp.models.enums import check_in
from surveyapp.services import invitations as invitation_service
from surveyapp.services.links import (
    RespondentLink,
    invitation_link,
    invitation_token,
    opt_out_link,
    public_link,
    respondent_url,
    unsubscribe_link,
)
from surveyapp.services.surveys import SurveyStatusError, set_status

ROOT = Path(__file__).resolve().parent.parent
VIEW_PACKAGES = (
    "surveyapp.admin",
    "surveyapp.auth",
    "surveyapp.respond",
    "surveyapp.interviews",
    "surveyapp.dashboards",
    "surveyapp.api",
    "surveyapp.contacts.routes",
)


@pytest.mark.parametrize("module", ["surveyapp.cli", "surveyapp.demo", "surveyapp.services.invitations"])
def test_cli_demo_and_services_import_no_blueprint_or_view(module):
    code = (
        f"import sys, {module}\n"
        f"loaded = sorted(m for m in sys.modules if m.startswith({VIEW_PACKAGES!r}))\n"
        "print(' '.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"importing {module} loaded view modules: {result.stdout}"


def test_the_import_check_fails_when_a_view_is_imported():
    # The check above can fail: a module that imports a blueprint is caught.
    code = (
        "import sys, surveyapp.admin.routes\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.startswith({VIEW_PACKAGES!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "surveyapp.admin.routes" in result.stdout.split()


# ---- respondent URLs: one builder ------------------------------------------------------------


def test_every_respondent_link_is_a_route_of_the_app(app):
    adapter = app.url_map.bind("surveys.test")
    endpoints = {kind: adapter.match(kind.format(key="k" * 43), method="GET")[0] for kind in RespondentLink}
    assert endpoints[RespondentLink.PERSONAL].startswith("respond.")
    assert endpoints[RespondentLink.PUBLIC].startswith("respond.")
    assert endpoints[RespondentLink.OPT_OUT] == "optout.page"
    assert endpoints[RespondentLink.UNSUBSCRIBE] == "optout.one_click"


def test_links_come_from_the_configured_base_url_not_the_request(app, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, token, _ = invite(survey)
    app.config["SURVEYAPP_BASE_URL"] = "https://surveys.example.org"
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert invitation_token(invitation) == token
        assert invitation_link(invitation) == f"https://surveys.example.org/s/{token}"
        assert opt_out_link(invitation) == f"https://surveys.example.org/s/{token}/opt-out"
        assert unsubscribe_link(invitation) == f"https://surveys.example.org/s/{token}/unsubscribe"
        assert public_link(survey) is None
        survey.public_link_enabled, survey.public_key = True, "k3y"
        assert public_link(survey) == "https://surveys.example.org/p/k3y"
        assert respondent_url(RespondentLink.PUBLIC, "a/b?c") == "https://surveys.example.org/p/a%2Fb%3Fc"


def test_queued_emails_carry_the_links_the_builder_makes(app, import_survey):
    survey = import_survey("mail_invitation")
    import_contacts(db.session, "email,name\nann@example.org,Ann\n")
    (invitation,) = invitation_service.invite(db.session, survey)
    queue_invitations(db.session, survey)
    db.session.commit()
    row = db.session.scalar(select(OutboundEmail))
    assert invitation_link(invitation) in row.body_text
    assert opt_out_link(invitation) in row.body_text
    assert row.headers["List-Unsubscribe"] == f"<{unsubscribe_link(invitation)}>"


def test_admin_pages_show_the_public_link_from_the_builder(app, client, import_survey):
    survey = import_survey("yes_no")
    survey.public_link_enabled, survey.public_key = True, "public-key-1"
    db.session.commit()
    sign_in(client, make_user("admin@example.org", "admin"))
    assert "http://surveys.test/p/public-key-1" in client.get("/admin/").text
    assert "http://surveys.test/p/public-key-1" in client.get(f"/admin/surveys/{survey.slug}").text


# ---- status enums ------------------------------------------------------------------------------


def test_enums_are_the_stored_strings_and_the_check_constraints():
    assert ResponseStatus.COMPLETED == "completed" and SurveyStatus.OPEN == "open"
    assert check_in("status", SurveyStatus) == "status IN ('draft', 'open', 'closed')"
    assert check_in("status", EmailStatus) == "status IN ('queued', 'sending', 'sent', 'retrying', 'failed')"


def test_set_status_refuses_an_unknown_status(app, import_survey):
    survey = import_survey("yes_no", status="draft")
    with pytest.raises(SurveyStatusError, match="not a survey status"):
        set_status(db.session, survey, "archived")
    set_status(db.session, survey, "open")
    assert survey.status == SurveyStatus.OPEN and survey.opened_at is not None


# ---- unknown ids, slugs and statuses: 404 or 400, never 500 -----------------------------------


@pytest.fixture
def admin(client):
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/surveys/no-such-survey/status/open",
        "/admin/surveys/no-such-survey/status/closed",
        "/admin/surveys/test-yes-no/status/archived",
        "/admin/surveys/no-such-survey/invitations/create",
        "/admin/surveys/no-such-survey/invitations/send",
        "/admin/surveys/test-yes-no/invitations/shout",
        "/admin/surveys/no-such-survey/templates/invitation",
        "/admin/surveys/test-yes-no/templates/letter",
        "/admin/invitations/999999/revoke",
        "/admin/responses/999999/void",
        "/admin/users/999999/deactivate",
        "/admin/users/999999/reactivate",
        "/admin/users/999999/assignments",
        "/admin/contacts/999999/erase",
    ],
)
def test_unknown_things_in_admin_posts_answer_404(app, admin, import_survey, url):
    import_survey("yes_no")
    response = admin.post(url, data={})
    assert response.status_code == 404, (url, response.status_code)


def test_unknown_slug_status_post_was_a_500_and_is_now_a_404(app, admin):
    assert admin.post("/admin/surveys/nope/status/open").status_code == 404


def test_unknown_pages_and_statuses_in_admin_lists_do_not_fail(app, admin, import_survey):
    import_survey("yes_no")
    for url in (
        "/admin/contacts?page=abc",
        "/admin/contacts?page=-3",
        "/admin/contacts?page=99999",
        "/admin/outbox?status=bogus&page=x",
        "/admin/surveys/test-yes-no/invitations?page=0",
    ):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/admin/surveys/test-yes-no/definition?version=abc").status_code in (200, 404)


def test_bad_form_values_answer_400_with_no_change(app, admin, import_survey):
    survey = import_survey("yes_no")
    assert admin.post(f"/admin/surveys/{survey.slug}/status/closed", data={"back": "elsewhere"}).status_code == 400
    assert db.session.get(Survey, survey.id).status == SurveyStatus.OPEN
    volunteer = make_user("vol@example.org", "volunteer")
    for chosen in (["abc"], [str(survey.id)]):  # not a number; not an interview survey
        response = admin.post(f"/admin/users/{volunteer.id}/assignments", data={"survey": chosen})
        assert response.status_code == 400, chosen


def test_forms_give_their_validation_messages(app, admin, import_survey):
    survey = import_survey("mail_invitation")
    page = admin.post("/admin/users/new", data={"email": "new@example.org", "role": "superuser", "password": "x"})
    assert page.status_code == 200 and "Select a role" in page.text
    assert db.session.scalar(select(Contact.id)) is None
    done = admin.post(
        f"/admin/surveys/{survey.slug}/invitations/create", data={"where": "not a condition"}, follow_redirects=True
    )
    assert "is not a condition: write ATTRIBUTE=VALUE" in done.text
    long_subject = admin.post(
        f"/admin/surveys/{survey.slug}/templates/invitation",
        data={"action": "save", "subject": "x" * 301, "body_text": "{{ link }}", "body_html": ""},
    )
    assert long_subject.status_code == 400 and "300 characters or fewer" in long_subject.text
    unknown_action = admin.post(
        f"/admin/surveys/{survey.slug}/templates/invitation",
        data={"action": "delete-everything", "subject": "Hi", "body_text": "{{ link }}", "body_html": ""},
    )
    assert unknown_action.status_code == 400 and "Unknown action" in unknown_action.text
    void = admin.post("/admin/responses/1/void", data={"reason": ""})
    assert void.status_code == 404  # no response 1: found before the form is read
    upload = admin.post("/admin/contacts/import", data={})
    assert upload.status_code == 400 and "Choose a CSV file to upload" in upload.text


def test_opt_out_posts_are_read_by_forms(app, client, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, token, path = invite(survey)
    assert client.post(f"{path}/opt-out", data={"scope": "bogus"}).status_code == 400
    assert client.post(f"{path}/unsubscribe", data={}).status_code == 400
    assert client.post(f"{path}/unsubscribe", data={"List-Unsubscribe": "Yes"}).status_code == 400
    assert db.session.get(Invitation, invitation.id).opted_out_at is None
    assert client.post(f"{path}/unsubscribe", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert db.session.get(Invitation, invitation.id).opted_out_at is not None


# ---- revoking an invitation ----------------------------------------------------------------------


def test_an_admin_revokes_an_invitation_its_link_404s_and_no_email_goes(app, admin, import_survey):
    survey = import_survey("mail_invitation")
    import_contacts(db.session, "email,name\nann@example.org,Ann\nben@example.org,Ben\n")
    ann, ben = invitation_service.invite(db.session, survey)
    queue_invitations(db.session, survey)
    db.session.commit()
    token = invitation_token(ann)
    assert admin.get(f"/s/{token}").status_code == 200
    page = admin.get(f"/admin/surveys/{survey.slug}/invitations").text
    assert f"/admin/invitations/{ann.id}/revoke" in page

    done = admin.post(f"/admin/invitations/{ann.id}/revoke", data={"reason": "asked by phone"}, follow_redirects=True)
    assert "is revoked" in done.text
    ann = db.session.get(Invitation, ann.id)
    assert ann.revoked_at is not None
    assert [e.kind for e in ann.events][-1] == "revoked" and ann.events[-1].detail == "asked by phone"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.revoke"))
    assert audit.actor == "admin@example.org" and audit.target == f"invitation:{ann.id}"
    # The link, the opt-out page and the one-click target answer like any unknown URL.
    for path in (f"/s/{token}", f"/s/{token}/opt-out"):
        assert app.test_client().get(path).status_code == 404, path
    # Its queued email is cancelled; Ben's still goes.
    rows = {r.to_address: r for r in db.session.scalars(select(OutboundEmail))}
    assert rows["ann@example.org"].status == "failed" and "revoked" in rows["ann@example.org"].last_error
    assert rows["ben@example.org"].status == "queued"
    # No reminder for a revoked invitation.
    for invitation in (ann, ben):
        invitation.emailed_at = invitation.last_emailed_at = utcnow() - timedelta(days=30)
    db.session.commit()
    assert queue_reminders(db.session, survey).queued == 1
    assert "Revoked" in admin.get(f"/admin/surveys/{survey.slug}/invitations").text
    # Revoking twice is refused with a message, not an error.
    again = admin.post(f"/admin/invitations/{ann.id}/revoke", follow_redirects=True)
    assert again.status_code == 200 and "revoked already" in again.text


def test_a_completed_invitation_cannot_be_revoked(app, admin, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, _token, _path = invite(survey)
    invitation.completed_at = utcnow()
    db.session.commit()
    done = admin.post(f"/admin/invitations/{invitation.id}/revoke", follow_redirects=True)
    assert "cannot be revoked" in done.text
    assert db.session.get(Invitation, invitation.id).revoked_at is None


def test_an_analyst_cannot_revoke(app, client, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, _token, _path = invite(survey)
    sign_in(client, make_user("cochair@example.org", "analyst"))
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 403
    assert db.session.get(Invitation, invitation.id).revoked_at is None


# ---- one invite() for CLI, admin pages and demo --------------------------------------------------


def test_cli_and_admin_page_invite_the_same_contacts_through_one_function(app, admin, runner, import_survey):
    first = import_survey("mail_invitation")
    second = import_survey("yes_no")
    import_contacts(db.session, "email,name,pct\nann@example.org,Ann,north\nben@example.org,Ben,south\n")
    db.session.commit()
    result = runner.invoke(args=["invitations", "create", first.slug, "--where", "pct=north"])
    assert result.exit_code == 0 and result.output.count("http://surveys.test/s/") == 1
    admin.post(f"/admin/surveys/{second.slug}/invitations/create", data={"where": "pct=north"})
    invited = db.session.execute(
        select(Invitation.survey_id, Contact.email).join(Contact, Contact.id == Invitation.contact_id)
    ).all()
    assert sorted(invited) == [(first.id, "ann@example.org"), (second.id, "ann@example.org")]
    audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invitations.create")).all()
    assert sorted((a.actor, a.detail, a.count) for a in audits) == [
        ("admin@example.org", "pct=north", 1),
        ("cli", "pct=north", 1),
    ]


def test_demo_invitations_are_made_by_the_invite_service(app):
    from surveyapp.demo import load_demo

    load_demo(db.session)
    db.session.commit()
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitations.create"))
    assert audit is not None and audit.count == 206
    completed = db.session.scalars(select(Response).where(Response.status == ResponseStatus.COMPLETED)).all()
    assert completed

"""Invitations and reminders in the contact's language: a version of each template per language of the
survey, chosen by the contact's `language` attribute, delivered over real SMTP."""

from __future__ import annotations

import re

import pytest
from auth_helpers import make_user, sign_in
from smtp_sink import body_text
from sqlalchemy import select

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_invitations
from surveyapp.models import MessageTemplate

LINK = re.compile(r"http://surveys\.test(/s/[A-Za-z0-9_-]{43})\b")
WELSH = {
    "subject": "Cymerwch ran: {{ survey_title }}",
    "body_text": "Annwyl {{ name }},\n\nMae {{ organisation }} yn gofyn am eich barn.\n{{ link }}\n\n"
    "Optio allan: {{ opt_out_link }}\n",
    "body_html": '<p>Annwyl {{ name }},</p><p><a href="{{ link }}">Cymerwch ran</a></p>',
}


@pytest.fixture
def survey(import_survey):
    return import_survey("languages")


@pytest.fixture
def admin(client):
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def invite_contacts(runner, survey):
    csv = (
        "email,name,language\n"
        "ann@example.org,Ann,cy\n"
        "ben@example.org,Ben,\n"
        "cat@example.org,Cat,ur\n"
        "dai@example.org,Dai,CY-gb\n"
    )
    import_contacts(db.session, csv)
    db.session.commit()
    result = runner.invoke(args=["invitations", "create", survey.slug])
    assert result.exit_code == 0, result.output


def test_admin_writes_the_welsh_invitation_beside_the_default_one(admin, survey):
    url = f"/admin/surveys/{survey.slug}/templates/invitation"
    listing = admin.get(f"/admin/surveys/{survey.slug}/invitations").get_data(as_text=True)
    assert f'{url}?language=cy">Invitation email in <span lang="cy" dir="ltr">Cymraeg</span>' in listing
    assert 'lang="ur" dir="rtl">اردو</span>' in listing
    page = admin.get(url, query_string={"language": "cy"}).get_data(as_text=True)
    assert "There is no version in this language yet" in page
    assert "Please take part: {{ survey_title }}" in page  # the default text, to translate
    preview = admin.post(f"{url}?language=cy", data={**WELSH, "action": "preview"}).get_data(as_text=True)
    # the preview uses the Welsh title and organisation from the definition's translation
    assert "Cymerwch ran: Eich fferyllfa leol" in preview and "Partneriaeth Iechyd Glan yr Afon" in preview
    assert admin.post(f"{url}?language=cy", data={**WELSH, "action": "save"}).status_code == 302
    rows = {(t.kind, t.language): t.subject for t in db.session.scalars(select(MessageTemplate))}
    assert rows == {("invitation", "cy"): WELSH["subject"]}
    # the default language's template is untouched, and both can exist side by side
    assert "This is the default template" in admin.get(url).get_data(as_text=True)
    assert admin.post(url, data={**WELSH, "subject": "Hello", "action": "save"}).status_code == 302
    assert len(db.session.scalars(select(MessageTemplate)).all()) == 2
    assert "This survey has its own version in this language" in admin.get(f"{url}?language=cy").get_data(as_text=True)
    # removing the Welsh version leaves the default one
    admin.post(f"{url}?language=cy", data={"action": "reset"})
    db.session.expire_all()
    assert [(t.language, t.subject) for t in db.session.scalars(select(MessageTemplate))] == [("", "Hello")]


@pytest.mark.parametrize("language", ["fr", "en", "<script>", "x" * 5000])
def test_a_language_the_survey_does_not_translate_into_has_no_template_page(admin, survey, language):
    url = f"/admin/surveys/{survey.slug}/templates/invitation"
    assert admin.get(url, query_string={"language": language}).status_code == 404
    assert admin.post(url, query_string={"language": language}, data={**WELSH, "action": "save"}).status_code == 404


def test_a_contact_with_language_cy_receives_the_welsh_invitation(app, client, runner, smtp, survey):
    db.session.add(MessageTemplate(survey_id=survey.id, kind="invitation", language="cy", **WELSH))
    db.session.commit()
    invite_contacts(runner, survey)
    assert runner.invoke(args=["invitations", "send", survey.slug]).exit_code == 0
    result = runner.invoke(args=["mail", "send"])
    assert result.output.strip() == "sent 4, retrying 0, failed 0", result.output

    received = {m["To"]: m for m in smtp.messages}
    ann = received["ann@example.org"]
    assert ann["Subject"] == "Cymerwch ran: Eich fferyllfa leol"
    assert body_text(ann).startswith("Annwyl Ann,")
    assert "Mae Partneriaeth Iechyd Glan yr Afon yn gofyn am eich barn." in body_text(ann)
    assert received["dai@example.org"]["Subject"] == "Cymerwch ran: Eich fferyllfa leol"  # cy-GB is Welsh
    # no language, or one without its own template (Urdu here): the default language's template
    assert received["ben@example.org"]["Subject"] == "Please take part: Your local pharmacy"
    assert received["cat@example.org"]["Subject"] == "Please take part: Your local pharmacy"

    # Ann's link opens the survey in Welsh: her language attribute picks it
    path = LINK.search(body_text(ann)).group(1)
    start = client.get(path).get_data(as_text=True)
    assert '<html lang="cy"' in start and "Eich fferyllfa leol" in start
    cat_path = LINK.search(body_text(received["cat@example.org"])).group(1)
    assert '<html lang="ur" dir="rtl"' in client.get(cat_path).get_data(as_text=True)


def test_reminders_use_the_contacts_language_too(app, runner, smtp, survey):
    from datetime import timedelta

    from surveyapp.mail.outbox import queue_reminders
    from surveyapp.models import utcnow

    db.session.add(
        MessageTemplate(
            survey_id=survey.id,
            kind="reminder",
            language="cy",
            subject="Nodyn atgoffa: {{ survey_title }}",
            body_text="{{ link }}",
            body_html="<p>{{ link }}</p>",
        )
    )
    db.session.commit()
    invite_contacts(runner, survey)
    queue_invitations(db.session, survey)
    db.session.commit()
    runner.invoke(args=["mail", "send"])
    later = utcnow() + timedelta(days=8)
    assert queue_reminders(db.session, survey, now=later).queued == 4
    db.session.commit()
    runner.invoke(args=["mail", "send"])
    reminders = {m["To"]: m["Subject"] for m in smtp.messages if m["Subject"].startswith(("Nodyn", "Reminder"))}
    assert reminders["ann@example.org"] == "Nodyn atgoffa: Eich fferyllfa leol"
    assert reminders["ben@example.org"] == "Reminder: Your local pharmacy"

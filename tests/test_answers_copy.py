"""'Email me a copy of my answers': off by default, once per response, through the outbox to a real SMTP server."""

from __future__ import annotations

import re

from journey_helpers import Journey, error_summary
from smtp_sink import body_text
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import OutboundEmail, Response

COPY_SURVEY = """
slug: copy-test
title: Practice feedback
settings:
  public_link: true
  organisation: Northtown Patients' Forum
  answers_copy: {answers_copy}
pages:
  - name: main
    title: Your views
    questions:
      - name: liked
        type: long_text
        label: What did you like?
      - name: score
        type: rating
        label: How likely are you to recommend the service?
        min: 0
        max: 10
"""


def survey_with_copies(import_survey, on: bool = True):
    return import_survey("copy-test", text=COPY_SURVEY.format(answers_copy="true" if on else "false"))


def complete(client, path: str, liked: str = "<b>The nurse</b> & the =HYPERLINK() desk") -> str:
    journey = Journey(client, path)
    journey.start()
    assert journey.answer("main", {"liked": liked, "score": "9"}).location.endswith("/check")
    done = journey.submit()
    assert done.status_code == 200
    return done.get_data(as_text=True)


def copies() -> list[OutboundEmail]:
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "other")))


def test_personal_link_copy_goes_once_to_the_invitees_own_address_and_is_purged_after_sending(
    client, runner, import_survey, invite, smtp
):
    survey = survey_with_copies(import_survey)
    invitation, _, path = invite(survey)
    page = complete(client, path)
    assert "Your answers have gone to Northtown Patients&#39; Forum" in page
    reference = re.search(r"Your reference: <strong>([0-9A-F]{5}-[0-9A-F]{5})</strong>", page).group(1)
    assert "Email me a copy of my answers" in page
    assert 'name="email"' not in page  # a personal link's copy goes to the invitee's address: nothing to type

    first = client.post(f"{path}/copy")
    assert first.status_code == 303 and first.location.endswith(f"{path}/done#copy")
    again = client.post(f"{path}/copy")  # a double click, a second tab
    assert again.status_code == 303
    [row] = copies()
    assert row.to_address == invitation.contact.email and row.survey_id == survey.id
    assert "List-Unsubscribe" not in (row.headers or {})
    after = client.get(f"{path}/done").get_data(as_text=True)
    assert "A copy of your answers is on its way" in after and "Email me a copy" not in after

    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and result.output.strip() == "sent 1, retrying 0, failed 0", result.output
    [message] = smtp.messages
    assert message["To"] == invitation.contact.email
    assert message["Subject"] == "A copy of your answers: Practice feedback"
    text = body_text(message).replace("\r\n", "\n")
    assert f"Your reference: {reference}" in text
    assert "What did you like?\n  <b>The nurse</b> & the =HYPERLINK() desk" in text
    assert "How likely are you to recommend the service?\n  9" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;The nurse&lt;/b&gt; &amp; the" in html and "<b>The nurse" not in html
    # Once sent, the outbox keeps neither the answers nor the address.
    db.session.expire_all()
    [row] = copies()
    assert row.status == "sent" and row.body_text == "" and row.body_html is None
    assert invitation.contact.email not in row.to_address


def test_public_link_copy_needs_a_typed_address_and_keeps_what_was_typed(client, import_survey):
    survey = survey_with_copies(import_survey)
    path = f"/p/{survey.public_key}"
    page = complete(client, path)
    assert 'name="email"' in page and 'autocomplete="email"' in page

    empty = client.post(f"{path}/copy", data={"email": ""})
    assert empty.status_code == 200  # the page again, with the error (as a question page does)
    assert error_summary(empty.get_data(as_text=True)) == [
        ("#email", "Enter your email address to get a copy of your answers")
    ]
    bad = client.post(f"{path}/copy", data={"email": "not an address<script>"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert error_summary(html) == [("#email", "Enter an email address in the correct format, like name@example.com")]
    assert 'value="not an address&lt;script&gt;"' in html and "<script>" not in html.split("</head>")[1]
    assert copies() == []

    ok = client.post(f"{path}/copy", data={"email": "  patient@example.org "})
    assert ok.status_code == 303
    [row] = copies()
    assert row.to_address == "patient@example.org"
    # The address is not stored with the response: only the moment a copy was asked for.
    response = db.session.scalar(select(Response).where(Response.survey_id == survey.id))
    assert response.copy_sent_at is not None


def test_public_link_copies_are_capped_per_survey_and_hour(app, client, import_survey):
    app.config["SURVEYAPP_ANSWER_COPIES_PER_HOUR"] = 1
    survey = survey_with_copies(import_survey)
    path = f"/p/{survey.public_key}"
    complete(client, path)
    assert client.post(f"{path}/copy", data={"email": "one@example.org"}).status_code == 303
    second = app.test_client()  # another respondent (a new cookie session, a new response)
    complete(second, path)
    refused = second.post(f"{path}/copy", data={"email": "two@example.org"})
    assert refused.status_code == 429
    assert "Too many copies have been asked for in the last hour" in refused.get_data(as_text=True)
    assert [row.to_address for row in copies()] == ["one@example.org"]


def test_copy_is_off_by_default_and_not_before_completion(client, import_survey, invite):
    survey = survey_with_copies(import_survey, on=False)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    # Before completion the copy URL sends the person back to the survey rather than mailing anything.
    assert client.post(f"{path}/copy").status_code == 302
    page = complete(client, path)
    assert "Email me a copy" not in page and "Your reference:" in page
    assert client.post(f"{path}/copy").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0


def test_copy_needs_a_csrf_token(app, database_url, import_survey, invite):
    from conftest import make_app

    survey = survey_with_copies(import_survey)
    _, _, path = invite(survey)
    plain = app.test_client()
    complete(plain, path)
    guarded = make_app(database_url, WTF_CSRF_ENABLED=True)
    with guarded.app_context():
        assert guarded.test_client().post(f"{path}/copy").status_code == 400
    assert copies() == []

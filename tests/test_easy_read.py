"""Easy read: a language's `-x-easyread` variant, chosen for contacts whose `communication_needs` ask for it
(their invitation and their survey), offered in the switcher, and laid out with larger text."""

from __future__ import annotations

import re

import pytest
from smtp_sink import body_text

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.models import MessageTemplate
from surveyapp.questionnaires.languages import contact_match, own_name, wanted_language, wants_easy_read

LINK = re.compile(r"http://surveys\.test(/s/[A-Za-z0-9_-]{43})\b")


@pytest.mark.parametrize(
    ("needs", "wanted"),
    [
        ("Easy read", True),
        ("easy-read; large print", True),
        ("EasyRead", True),
        ("easy_read", True),
        ("large print", False),
        ("", False),
        (None, False),
        ("easy read" * 100, False),  # too long to be a real attribute: ignored, never an error
    ],
)
def test_communication_needs_that_ask_for_easy_read(needs, wanted):
    assert wants_easy_read(needs) is wanted


def test_the_easy_read_variant_of_the_contacts_own_language_else_its_plain_language():
    assert wanted_language("cy", "Easy read") == "cy-x-easyread"
    assert wanted_language(None, "Easy read") == "en-x-easyread"
    assert wanted_language("<script>", "Easy read") == "en-x-easyread"
    assert wanted_language("cy", None) == "cy"
    offered = ["en", "en-x-easyread", "cy"]
    assert contact_match({"communication_needs": "easy read"}, offered) == "en-x-easyread"
    assert contact_match({"language": "cy", "communication_needs": "easy read"}, offered) == "cy"  # no easy Welsh
    assert contact_match({"language": "cy"}, offered) == "cy"
    assert contact_match({}, offered) is None
    assert own_name("en-x-easyread") == "English (easy read)"


@pytest.fixture
def survey(import_survey):
    return import_survey("easy_read")


def test_a_contact_who_needs_easy_read_gets_the_easy_read_invitation_and_survey(app, client, runner, smtp, survey):
    db.session.add(
        MessageTemplate(
            survey_id=survey.id,
            kind="invitation",
            language="en-x-easyread",
            subject="Tell us about your doctor",
            body_text="Hello {{ name }}.\n\nPlease tell us about your doctor.\n{{ link }}\n\nStop emails: {{ opt_out_link }}\n",
            body_html='<p>Hello {{ name }}.</p><p><a href="{{ link }}">Tell us</a></p>',
        )
    )
    db.session.commit()
    import_contacts(db.session, "email,name,communication_needs\nann@example.org,Ann,Easy read\nben@example.org,Ben,\n")
    db.session.commit()
    for command in (["invitations", "create", survey.slug], ["invitations", "send", survey.slug], ["mail", "send"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    received = {m["To"]: m for m in smtp.messages}
    assert received["ann@example.org"]["Subject"] == "Tell us about your doctor"
    assert received["ben@example.org"]["Subject"] == "Please take part: Your GP surgery"

    start = client.get(LINK.search(body_text(received["ann@example.org"])).group(1)).get_data(as_text=True)
    assert '<html lang="en-x-easyread"' in start and "Your doctor" in start
    plain = client.get(LINK.search(body_text(received["ben@example.org"])).group(1)).get_data(as_text=True)
    assert '<html lang="en"' in plain and "Your GP surgery" in plain
    # the switcher offers the easy-read version by name
    assert "English (easy read)" in plain

"""The product's own interface text in Welsh and Urdu (Flask-Babel, English (UK) as the source):
complete catalogues whose placeholders match, a messages.pot that matches the code, journeys, the
opt-out page and emails in the respondent's language, and English pages unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from journey_helpers import error_summary
from smtp_sink import body_text

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.i18n import INTERFACE_LANGUAGES, TRANSLATIONS, interface_language
from surveyapp.services.links import opt_out_link

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"http://surveys\.test(/s/[A-Za-z0-9_-]{43})\b")
# %(name)s and %s (printf), {name} (str.format), and the Jinja of the default email templates
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|(?<!\{)\{\w+\}(?!\})|\{\{\s*\w+|\{%.*?%\}")


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def extracted(tmp_path) -> set:
    """The msgids the code has now (pybabel extract, as `make messages` runs it)."""
    pot = tmp_path / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext", "-k", "N_"]
    args += ["-k", "Message", "--no-location", "--omit-header", "-o", str(pot), str(ROOT)]
    CommandLineInterface().run(args)
    with pot.open("rb") as source:
        return {m.id for m in read_po(source) if m.id}


def english_marks(html: str) -> int:
    """How many elements say lang="en", leaving out the switcher's button for English (its own name)."""
    return re.sub(r'<nav class="app-language-switcher".*?</nav>', "", html, flags=re.S).count('lang="en"')


def placeholders(text: str) -> list[str]:
    return sorted(" ".join(p.split()) for p in PLACEHOLDER.findall(text))


# -- the catalogues ---------------------------------------------------------------------------------


def test_the_committed_template_matches_the_interface_text_in_the_code(tmp_path):
    with (TRANSLATIONS / "messages.pot").open("rb") as source:
        committed = {m.id for m in read_po(source) if m.id}
    now = extracted(tmp_path)
    assert now - committed == set(), "new interface text: run `make messages` and translate it"
    assert committed - now == set(), "interface text that is gone: run `make messages`"


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
def test_every_message_is_translated_in_every_shipped_catalogue(tmp_path, language):
    translations = catalogue(language)
    assert translations.num_plurals >= 2
    by_id = {m.id: m for m in translations if m.id}
    missing, fuzzy, wrong = [], [], []
    for msgid in extracted(tmp_path):
        message = by_id.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        if message.fuzzy:
            fuzzy.append(msgid)
        if isinstance(msgid, tuple):  # every plural form the language's header declares
            forms = list(message.string)
            if len(forms) != translations.num_plurals or not all(forms):
                missing.append(msgid)
            sources = [msgid[0]] + [msgid[1]] * (len(forms) - 1)
        else:
            forms, sources = [message.string], [msgid]
            if not message.string:
                missing.append(msgid)
        for source, form in zip(sources, forms, strict=True):
            if form and placeholders(form) != placeholders(source if len(forms) == 1 else msgid[1]):
                wrong.append((msgid, form))
    assert missing == [] and fuzzy == [] and wrong == []


def test_the_placeholder_check_sees_every_kind_of_placeholder():
    assert placeholders("Enter %(label)s, %s or {label} for {{ survey_title }}{% if x %}") == sorted(
        ["%(label)s", "%s", "{label}", "{{ survey_title", "{% if x %}"]
    )
    assert placeholders("Dear {{ name or 'colleague' }}") == placeholders("Annwyl {{ name or 'gyfaill' }}")


@pytest.mark.parametrize(
    "code, expected",
    [("cy", "cy"), ("cy-GB", "cy"), ("UR", "ur"), ("en-x-easyread", "en"), ("pl", "en"), ("", "en"), (None, "en")],
)
def test_a_page_language_picks_its_interface_catalogue_or_english(code, expected):
    assert interface_language(code) == expected


# -- the journey --------------------------------------------------------------------------------------


@pytest.fixture
def survey(import_survey):
    return import_survey("languages")


def start(client, survey, language: str | None) -> str:
    path = f"/p/{survey.public_key}"
    client.post(f"{path}/start", data={"lang": language} if language else {})
    return path


def test_a_welsh_journey_has_welsh_buttons_errors_and_no_english_marks(client, survey):
    front = client.get(f"/p/{survey.public_key}", query_string={"lang": "cy"}).get_data(as_text=True)
    assert "Dechrau nawr" in front and "Mae ganddo 2 adran fer." in front
    path = start(client, survey, "cy")
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert '<html lang="cy" class="govuk-template">' in page
    assert ">Parhau</button>" in page and "Adran 1 o 2" in page
    assert english_marks(page) == 0
    shown = {"_shown": ["how_often", "age"]}
    invalid = client.post(f"{path}/page/visits", data={**shown, "age": "deuddeg"}).get_data(as_text=True)
    assert "Mae problem wedi codi" in invalid and "Gwall:" in invalid
    assert ("#age", "Rhowch rif cyfan, fel 12") in error_summary(invalid)
    # the questionnaire's own message stays the questionnaire's (its Welsh translation)
    assert ("#how_often", "Dewiswch pa mor aml rydych chi'n mynd i'r fferyllfa") in error_summary(invalid)
    out_of_range = client.post(f"{path}/page/visits", data={**shown, "age": "7"}).get_data(as_text=True)
    assert ("#age", "Rhowch rif rhwng 16 a 120") in error_summary(out_of_range)
    assert english_marks(invalid) == 0


def test_an_urdu_journey_is_right_to_left_with_urdu_buttons(client, survey):
    path = start(client, survey, "ur")
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl" class="govuk-template">' in page
    assert ">جاری رکھیں</button>" in page and english_marks(page) == 0
    invalid = client.post(f"{path}/page/visits", data={"_shown": ["age"], "age": "x"}).get_data(as_text=True)
    assert "ایک مسئلہ ہے" in invalid
    assert ("#age", "کوئی مکمل عدد درج کریں، جیسے 12") in error_summary(invalid)


def test_the_welsh_check_and_thank_you_pages(client, survey):
    path = start(client, survey, "cy")
    client.post(f"{path}/page/visits", data={"_shown": ["how_often", "age"], "how_often": "weekly", "age": "40"})
    client.post(f"{path}/page/views", data={"_shown": ["helpful", "comments"], "helpful": "yes"})
    check = client.get(f"{path}/check").get_data(as_text=True)
    assert "Gwirio eich atebion cyn eu cyflwyno" in check and ">Newid</span>" in check
    assert "Heb ei ateb" in check and "Cyflwyno’r atebion" in check and ">Yn ôl</a>" in check
    done = client.post(f"{path}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Mae eich atebion wedi cael eu hanfon" in done and "Gallwch gau’r dudalen hon." in done
    assert "Partneriaeth Iechyd Glan yr Afon" in done and english_marks(done) == 0


def test_an_english_journey_is_unchanged(client, survey):
    path = start(client, survey, None)
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert '<html lang="en" class="govuk-template">' in page and ">Continue</button>" in page
    invalid = client.post(f"{path}/page/visits", data={"_shown": ["age"], "age": "x"}).get_data(as_text=True)
    assert "There is a problem" in invalid and ("#age", "Enter a whole number, like 12") in error_summary(invalid)


def test_a_language_without_an_interface_catalogue_keeps_the_english_marks(client, import_survey):
    text = (ROOT / "tests/questionnaires/languages.yaml").read_text()
    polish = import_survey("polish", text=text.replace("\n  ur:\n    name: اردو", "\n  pl:\n    name: Polski"))
    path = start(client, polish, "pl")
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    assert '<html lang="pl" class="govuk-template">' in page
    assert ' lang="en" dir="ltr">Continue</button>' in page


# -- the opt-out page and emails ----------------------------------------------------------------------


def invite_contacts(runner, survey):
    import_contacts(db.session, "email,name,language\nann@example.org,Ann,cy\nben@example.org,Ben,\n")
    db.session.commit()
    assert runner.invoke(args=["invitations", "create", survey.slug]).exit_code == 0


def test_a_welsh_contact_gets_the_products_invitation_in_welsh(app, client, runner, smtp, survey):
    invite_contacts(runner, survey)
    assert runner.invoke(args=["invitations", "send", survey.slug]).exit_code == 0
    assert runner.invoke(args=["mail", "send"]).output.strip() == "sent 2, retrying 0, failed 0"
    received = {m["To"]: m for m in smtp.messages}
    ann, ben = received["ann@example.org"], received["ben@example.org"]
    assert ann["Subject"] == "Cymerwch ran os gwelwch yn dda: Eich fferyllfa leol"
    assert body_text(ann).startswith("Annwyl Ann,")
    assert "Mae’n cael ei gynnal gan Partneriaeth Iechyd Glan yr Afon." in body_text(ann)
    assert "gallwch optio allan yma:" in body_text(ann)
    assert ben["Subject"] == "Please take part: Your local pharmacy"
    assert body_text(ben).startswith("Dear Ben,")
    # the opt-out page her email links to is in Welsh too
    optout = client.get(LINK.search(body_text(ann)).group(1) + "/opt-out").get_data(as_text=True)
    assert '<html lang="cy" class="govuk-template">' in optout
    assert "Optio allan o negeseuon e-bost" in optout and ">Optio allan</button>" in optout


def test_the_opt_out_page_of_a_contact_without_a_language_is_english(app, client, runner, survey):
    invite_contacts(runner, survey)
    from surveyapp.models import Invitation

    ben = next(i for i in db.session.query(Invitation) if i.contact.email == "ben@example.org")
    page = client.get(opt_out_link(ben).replace("http://surveys.test", "")).get_data(as_text=True)
    assert '<html lang="en" class="govuk-template">' in page and ">Opt out</button>" in page


def test_staff_pages_follow_the_browsers_language_among_the_shipped_catalogues(app, client):
    # ?lang= is the respondent's switch; of the staff pages only sign-in takes it (test_staff_language.py)
    english = client.get("/", query_string={"lang": "cy"}).get_data(as_text=True)
    assert '<html lang="en" class="govuk-template">' in english and "Neidio i’r prif gynnwys" not in english
    welsh = client.get("/login", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="cy" class="govuk-template">' in welsh and "Neidio i’r prif gynnwys" in welsh
    urdu = client.get("/login", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl" class="govuk-template">' in urdu
    unshipped = client.get("/login", headers={"Accept-Language": "pl,de;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en" class="govuk-template">' in unshipped
    api = client.get("/api/openapi.json", headers={"Accept-Language": "cy"})
    assert api.status_code == 200


def test_dates_in_errors_and_check_your_answers_name_the_month_in_the_pages_language(app, import_survey):
    text = (ROOT / "tests/questionnaires/languages.yaml").read_text()
    dated = text.replace(
        "      - name: comments\n",
        "      - name: visited\n        type: date\n        label: When did you last go?\n"
        "        min: '2020-01-01'\n        max: '2026-10-31'\n      - name: comments\n",
        1,
    )
    survey = import_survey("dated", text=dated)
    shown = {"_shown": ["helpful", "visited", "comments"]}
    for language, between, day in (
        ("cy", "Rhaid i’r dyddiad fod rhwng 1 Ionawr 2020 a 31 Hydref 2026", "5 Hydref 2025"),
        (None, "Date must be between 1 January 2020 and 31 October 2026", "5 October 2025"),
        ("ur", "1 جنوری 2020", "5 اکتوبر 2025"),
    ):
        client = app.test_client()  # a new respondent for each language
        path = start(client, survey, language)
        client.post(f"{path}/page/visits", data={"_shown": ["how_often", "age"], "how_often": "weekly", "age": "40"})
        late = {"visited-day": "5", "visited-month": "11", "visited-year": "2026"}
        invalid = client.post(f"{path}/page/views", data={**shown, **late}).get_data(as_text=True)
        assert between in " ".join(message for _, message in error_summary(invalid)), language
        good = {"visited-day": "5", "visited-month": "10", "visited-year": "2025"}
        client.post(f"{path}/page/views", data={**shown, **good})
        check = client.get(f"{path}/check").get_data(as_text=True)
        assert day in check, language
        if language:
            assert "October" not in check and "January" not in invalid

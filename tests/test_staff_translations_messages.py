"""Messages that lower layers raise as exception text, on staff pages in the staff member's language (issue 18):
the contact selection's (SelectionError), the outbox's (QueueError) and the email templates' (TemplateProblem)
refusals, translated where they are raised; the same refusals on the command line stay English."""

from __future__ import annotations

import pytest
from test_mail_admin import sign_in

from surveyapp.contacts.importer import import_contacts
from surveyapp.extensions import db
from surveyapp.mail.rendering import TemplateProblem, TemplateText, check_template

WELSH, URDU = {"Accept-Language": "cy"}, {"Accept-Language": "ur"}


@pytest.fixture
def admin(client):
    sign_in(client)
    return client


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers, unknown_list, bad_condition",
    [
        (WELSH, "Nid oes rhestr gysylltiadau o’r enw “nowhere”.", "Nid yw “pct” yn amod: ysgrifennwch"),
        (URDU, "“nowhere” نام کی کوئی رابطوں کی فہرست نہیں ہے۔", "“pct” کوئی شرط نہیں ہے:"),
        ({}, "There is no contact list called “nowhere”.", "“pct” is not a condition: write ATTRIBUTE=VALUE"),
    ],
)
def test_a_contact_selection_refusal_is_in_the_staff_member_s_language(
    admin, import_survey, headers, unknown_list, bad_condition
):
    import_survey("mail_invitation")
    import_contacts(db.session, "email,pct\na@example.org,north\n", "wave")
    db.session.commit()
    url = "/admin/surveys/mail-test/invitations"
    text = page_text(admin.get(url, query_string={"check": "1", "list_name": "nowhere"}, headers=headers))
    assert unknown_list in text
    text = page_text(admin.get(url, query_string={"check": "1", "list_name": "wave", "where": "pct"}, headers=headers))
    assert bad_condition in text


@pytest.mark.parametrize(
    "headers, refusal",
    [
        (WELSH, "Drafft yw’r arolwg “mail-test”: agorwch ef cyn anfon negeseuon e-bost."),
        (URDU, "سروے “mail-test” ابھی مسودہ ہے: ای میلز بھیجنے سے پہلے اسے کھولیں۔"),
        ({}, "The survey “mail-test” is draft: open it before sending emails."),
    ],
)
def test_an_outbox_refusal_is_in_the_staff_member_s_language(admin, import_survey, headers, refusal):
    import_survey("mail_invitation", status="draft")
    response = admin.post("/admin/surveys/mail-test/invitations/send", headers=headers)
    assert response.status_code == 302
    assert refusal in page_text(admin.get(response.location, headers=headers))


@pytest.mark.parametrize(
    "headers, refusals",
    [
        (
            WELSH,
            [
                "Rhaid i’r pwnc fod yn un llinell o destun: mae’n cynnwys toriad llinell neu nod rheoli arall (U+000A).",
                "Rhaid i’r corff testun plaen gynnwys y ddolen bersonol: {{ link }}",
                "Mae’r corff testun plaen yn defnyddio dalfannau anhysbys: secret_key. Ar gael:",
                "Mae camgymeriad yn y corff HTML:",
            ],
        ),
        (
            URDU,
            [
                "عنوان متن کی ایک ہی سطر ہونا چاہیے: اس میں لائن بریک یا کوئی اور کنٹرول کریکٹر (U+000A) ہے۔",
                "سادہ متن میں ذاتی لنک ہونا ضروری ہے: {{ link }}",
                "سادہ متن میں نامعلوم پلیس ہولڈرز استعمال ہوئے ہیں: secret_key۔ دستیاب:",
                "HTML متن میں ایک غلطی ہے:",
            ],
        ),
        (
            {},
            [
                "The subject must be one line of text: it contains a line break or other control character (U+000A).",
                "The plain-text body must contain the personal link: {{ link }}",
                "The plain-text body uses unknown placeholder(s): secret_key. Available: name, attributes,",
                "The HTML body has a mistake:",
            ],
        ),
    ],
)
def test_an_email_template_problem_is_in_the_staff_member_s_language(admin, import_survey, headers, refusals):
    import_survey("mail_invitation")
    form = {"subject": "Nudge", "body_text": "Hello\n{{ link }}", "body_html": "<p>Hi</p>", "action": "save"}
    bad_parts = [
        {"subject": "Two\nlines"},
        {"body_text": "no link here"},
        {"body_text": "{{ link }} {{ secret_key }}"},
        {"body_html": "{% if %}"},
    ]
    for bad, refusal in zip(bad_parts, refusals, strict=True):
        response = admin.post("/admin/surveys/mail-test/templates/reminder", data={**form, **bad}, headers=headers)
        assert response.status_code == 400
        assert refusal in page_text(response), bad


def test_without_a_request_the_refusals_are_english(app):
    with pytest.raises(TemplateProblem, match=r"^The plain-text body must contain the personal link: \{\{ link \}\}$"):
        check_template(TemplateText("Hi", "no link", ""))


def test_the_command_line_refusals_stay_english(runner, import_survey):
    import_survey("mail_invitation", status="draft")
    result = runner.invoke(args=["invitations", "send", "mail-test"])
    assert "The survey “mail-test” is draft: open it before sending emails." in result.output
    result = runner.invoke(args=["invitations", "create", "mail-test", "--list", "nowhere"])
    assert "There is no contact list called “nowhere”." in result.output


# -- the questionnaire validator's problems (the engine's loader) -------------------------------------

MISTAKEN = """slug: Bad Slug
title: Mistaken
settings: {closes_on: soon}
pages:
  - name: first
    title: First
    questions:
      - {name: q, type: short_txt, label: Q, lable: Q}
      - {name: r, label: R}
"""


@pytest.mark.parametrize(
    "headers, problems",
    [
        (
            WELSH,
            [
                "llinell 1: holiadur: rhaid i’r enw byr 'Bad Slug' fod yn 1 i 64 o lythrennau bach",
                "llinell 3: gosodiadau: rhaid i 'closes_on' fod yn ddyddiad fel 2026-12-31, nid 'soon'",
                "llinell 8: cwestiwn 'q', tudalen 'first': math anhysbys 'short_txt' (oeddech chi’n golygu 'short_text'?)",
                "cwestiwn 'q', tudalen 'first': allwedd anhysbys 'lable' (oeddech chi’n golygu 'label'?)",
                "llinell 9: cwestiwn 'r', tudalen 'first': mae 'type' ar goll",
            ],
        ),
        (
            URDU,
            [
                "سطر 1: سوالنامہ: مختصر نام 'Bad Slug' میں 1 سے 64 تک",
                "سطر 3: ترتیبات: 'closes_on' کو 2026-12-31 جیسی تاریخ ہونا چاہیے، نہ کہ 'soon'",
                "سطر 8: صفحہ 'first' پر سوال 'q': نامعلوم قسم 'short_txt' (کیا آپ کا مطلب 'short_text' تھا؟)",
                "سطر 9: صفحہ 'first' پر سوال 'r': 'type' موجود نہیں ہے",
            ],
        ),
        (
            {},
            [
                "line 1: questionnaire: slug 'Bad Slug' must be 1 to 64 lowercase letters, digits or hyphens",
                "line 3: settings: 'closes_on' must be a date like 2026-12-31, not 'soon'",
                "line 8: question 'q' on page 'first': unknown type 'short_txt' (did you mean 'short_text'?)",
                "question 'q' on page 'first': unknown key 'lable' (did you mean 'label'?)",
                "line 9: question 'r' on page 'first': 'type' is missing",
            ],
        ),
    ],
)
def test_a_definition_s_problems_on_the_upload_page_are_in_the_staff_member_s_language(admin, headers, problems):
    import html

    response = admin.post("/admin/surveys/import", data={"definition_text": MISTAKEN}, headers=headers)
    text = html.unescape(page_text(response))
    for problem in problems:
        assert problem in text
    if headers:
        assert "must be a date like" not in text and "is missing" not in text


@pytest.mark.parametrize(
    "headers, problem",
    [
        (WELSH, ": gwall cystrawen YAML:"),
        (URDU, ": YAML کی نحوی غلطی:"),
        ({}, ": YAML syntax error:"),
    ],
)
def test_a_yaml_syntax_error_on_the_upload_page_is_in_the_staff_member_s_language(admin, headers, problem):
    response = admin.post("/admin/surveys/import", data={"definition_text": "title: [unclosed\n"}, headers=headers)
    line = {"cy": "llinell 2", "ur": "سطر 2"}.get(headers.get("Accept-Language"), "line 2")
    assert line + problem in page_text(response)


def test_the_same_problems_on_the_command_line_stay_english(runner, tmp_path):
    path = tmp_path / "mistaken.yaml"
    path.write_text(MISTAKEN)
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3: settings: 'closes_on' must be a date like 2026-12-31, not 'soon'" in result.output


@pytest.mark.parametrize(
    "headers, problems",
    [
        (WELSH, ["mae 'label' yn wag", "nid oes gan y dudalen gwestiynau"]),
        (URDU, ["'label' خالی ہے", "صفحے پر کوئی سوال نہیں ہے"]),
        ({}, ["'label' is empty", "the page has no questions"]),
    ],
)
def test_a_draft_s_problems_in_the_editor_are_in_the_staff_member_s_language(admin, headers, problems):
    from surveyapp.services import drafts

    survey = drafts.create_survey(db.session, "drafty", "Drafty", "blank")
    draft = drafts.draft_of(survey)
    draft["pages"] = [
        {"name": "first", "title": "First", "questions": [{"name": "r", "type": "short_text", "label": ""}]},
        {"name": "second", "title": "Second", "questions": []},
    ]
    drafts.save_draft(survey, draft)
    db.session.commit()
    text = page_text(admin.get("/admin/surveys/drafty/editor", headers=headers))
    for problem in problems:
        assert problem in text.replace("&#39;", "'")


# -- the change list (editor) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, words",
    [
        (
            WELSH,
            [
                "Newidiwyd",
                "Aileiriwyd y cwestiwn ‘",
                "’: ‘A &lt;b&gt;reworded&lt;/b&gt; question’",
                ": newidiwyd awgrym",
                "Awgrym: Say more",
            ],
        ),
        (
            URDU,
            [
                "تبدیل کیا گیا",
                "’ کے الفاظ بدلے گئے: ‘A &lt;b&gt;reworded&lt;/b&gt; question’",
                ": اشارہ تبدیل ہوا",
                "اشارہ: Say more",
            ],
        ),
        ({}, ["Changed", "’ reworded: ‘A &lt;b&gt;reworded&lt;/b&gt; question’", ": hint changed", "Hint: Say more"]),
    ],
)
def test_the_change_list_is_in_the_staff_member_s_language(admin, import_survey, headers, words):
    from surveyapp.services import drafts

    survey = import_survey("short_text")
    draft = drafts.draft_of(survey)
    question = draft["pages"][0]["questions"][0]
    question["label"], question["hint"] = "A <b>reworded</b> question", "Say more"
    drafts.save_draft(survey, draft)
    db.session.commit()
    text = page_text(admin.get(f"/admin/surveys/{survey.slug}/editor/changes", headers=headers))
    for word in words:
        assert word in text
    assert "<b>reworded" not in text
    if headers:
        assert " reworded: " not in text and "hint changed" not in text


# -- the email template page's placeholder descriptions -----------------------------------------------


@pytest.mark.parametrize(
    "headers, words",
    [
        (WELSH, ["y dyddiad cau, e.e. 31 Mawrth 2026 (gwag pan nad oes un)", "enw’r cyswllt (gall fod yn wag)"]),
        (URDU, ["اختتامی تاریخ، مثلاً 31 مارچ 2026 (اگر کوئی نہ ہو تو خالی)", "رابطے کا نام (خالی ہو سکتا ہے)"]),
        ({}, ["the closing date, e.g. 31 March 2026 (empty when there is none)", "the contact's name (may be empty)"]),
    ],
)
def test_the_placeholder_descriptions_are_in_the_staff_member_s_language(admin, import_survey, headers, words):
    import html

    import_survey("mail_invitation")
    text = html.unescape(page_text(admin.get("/admin/surveys/mail-test/templates/invitation", headers=headers)))
    for word in words:
        assert word in text
    assert "the contact's attributes, e.g. {{ attributes.practice_code }}" in text or headers


CROSS_CHECKED = """slug: cross-checked
title: Cross checked
pages:
  - name: first
    title: First
    questions:
      - {name: age, type: integer, label: Age, min: 90, max: 10}
      - {name: pick, type: single_choice, label: Pick, relevant: "${agee} > 3", choices: [{value: a, label: A}, {value: a, label: B}]}
"""


@pytest.mark.parametrize(
    "headers, problems",
    [
        (
            WELSH,
            [
                "mae 'min' (90) yn fwy na 'max' (10)",
                "mae 'relevant' yn cyfeirio at gwestiwn anhysbys 'agee' (oeddech chi’n golygu 'age'?)",
                "dewis 2: defnyddir y gwerth 'a' ddwywaith (hefyd ar linell 8)",
            ],
        ),
        (
            URDU,
            [
                "'min' (90)، 'max' (10) سے بڑا ہے",
                "'relevant' میں نامعلوم سوال 'agee' کا حوالہ ہے (کیا آپ کا مطلب 'age' تھا؟)",
                "انتخاب 2: قدر 'a' دو بار استعمال ہوئی ہے (سطر 8 پر بھی)",
            ],
        ),
        (
            {},
            [
                "'min' (90) is greater than 'max' (10)",
                "'relevant' refers to unknown question 'agee' (did you mean 'age'?)",
                "choice 2: the value 'a' is used twice (also on line 8)",
            ],
        ),
    ],
)
def test_the_validator_s_cross_checks_are_in_the_staff_member_s_language(admin, headers, problems):
    import html

    response = admin.post("/admin/surveys/import", data={"definition_text": CROSS_CHECKED}, headers=headers)
    text = html.unescape(page_text(response))
    for problem in problems:
        assert problem in text


# -- the XLSForm importer's problems and notes ----------------------------------------------------------


def _upload(client, data: bytes, headers: dict, skip: bool = False):
    import io

    fields = {"definition_file": (io.BytesIO(data), "form.xlsx")}
    if skip:
        fields["skip_unsupported"] = "y"
    response = client.post(
        "/admin/surveys/import", data=fields, content_type="multipart/form-data", headers=headers, follow_redirects=True
    )
    import html

    return html.unescape(page_text(response))


@pytest.mark.parametrize(
    "headers, refusal, left_out",
    [
        (
            WELSH,
            "dalen 'survey', rhes 3, math 'geopoint': ni all arolwg gwe yma gofnodi lleoliad",
            "Wedi’i adael allan: dalen 'survey', rhes 3, math 'geopoint'",
        ),
        (
            URDU,
            "شیٹ 'survey'، قطار 3، قسم 'geopoint': یہاں ویب سروے کوئی مقام ریکارڈ نہیں کر سکتا",
            "شیٹ 'survey'، قطار 3، قسم 'geopoint'",
        ),
        (
            {},
            "sheet 'survey', row 3, type 'geopoint': a web survey here cannot record a location",
            "Left out: sheet 'survey', row 3, type 'geopoint'",
        ),
    ],
)
def test_an_xlsform_s_refusals_and_notes_are_in_the_staff_member_s_language(admin, headers, refusal, left_out):
    from xlsform_helpers import UNSUPPORTED_FORM

    assert refusal in _upload(admin, UNSUPPORTED_FORM, headers)
    assert left_out in _upload(admin, UNSUPPORTED_FORM, headers, skip=True)


# -- the expression parser's reasons (conditions, constraints, choice filters) -------------------------


@pytest.mark.parametrize(
    "headers, problem",
    [
        (WELSH, "mae gwall yn 'relevant': Ffwythiant anhysbys 'foo' wrth nod 1"),
        (URDU, "'relevant' میں ایک غلطی ہے: حرف نمبر 1 پر نامعلوم فنکشن 'foo'"),
        ({}, "'relevant' has an error: Unknown function 'foo' at character 1"),
    ],
)
def test_the_editor_s_condition_check_is_in_the_staff_member_s_language(admin, import_survey, headers, problem):
    survey = import_survey("short_text")
    question = survey.current_version.definition["pages"][0]["questions"][0]["name"]
    response = admin.get(
        f"/admin/surveys/{survey.slug}/editor/check",
        query_string={"expression": "foo(1)", "question": question, "key": "relevant"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.get_json()["problems"] == [problem]


@pytest.mark.parametrize(
    "headers, problem",
    [
        (WELSH, "'%' annisgwyl wrth nod 10"),
        (URDU, "حرف نمبر 10 پر غیر متوقع '%'"),
        ({}, "Unexpected '%' at character 10"),
    ],
)
def test_an_expression_error_on_the_upload_page_is_in_the_staff_member_s_language(admin, headers, problem):
    import html

    text = CROSS_CHECKED.replace('relevant: "${agee} > 3"', 'relevant: "${age} > %3"')
    response = admin.post("/admin/surveys/import", data={"definition_text": text}, headers=headers)
    assert problem in html.unescape(page_text(response))


@pytest.mark.parametrize(
    "headers, problems",
    [
        (WELSH, ["rhaid i 'min' fod yn rhif cyfan", "'pattern': nid yw’n fynegiad rheolaidd dilys:"]),
        (URDU, ["'min' کو ایک مکمل عدد ہونا چاہیے", "'pattern' درست ریگولر ایکسپریشن نہیں ہے:"]),
        ({}, ["'min' must be a whole number", "'pattern' is not a valid regular expression:"]),
    ],
)
def test_the_question_types_own_reasons_are_in_the_staff_member_s_language(admin, headers, problems):
    import html

    text = """slug: typed
title: Typed
pages:
  - name: first
    title: First
    questions:
      - {name: age, type: integer, label: Age, min: lots}
      - {name: code, type: short_text, label: Code, pattern: "[a-"}
"""
    response = admin.post("/admin/surveys/import", data={"definition_text": text}, headers=headers)
    page = html.unescape(page_text(response))
    for problem in problems:
        assert problem in page


# -- the FHIR importer's problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, problem",
    [
        (WELSH, "eitem 'a' (math attachment): ni chefnogir llwytho ffeiliau"),
        (URDU, "آئٹم 'a' (قسم attachment): فائلیں اپ لوڈ کرنا قابلِ قبول نہیں"),
        ({}, "item 'a' (type attachment): file uploads are not supported"),
    ],
)
def test_a_fhir_questionnaire_s_problems_are_in_the_staff_member_s_language(admin, headers, problem):
    import html
    import json

    resource = {
        "resourceType": "Questionnaire",
        "id": "fhir-x",
        "title": "X",
        "status": "draft",
        "item": [{"linkId": "a", "type": "attachment", "text": "A file"}],
    }
    response = admin.post("/admin/surveys/import", data={"definition_text": json.dumps(resource)}, headers=headers)
    assert problem in html.unescape(page_text(response))


# -- other refusals raised below the pages ----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, refusal",
    [
        (WELSH, "evil.svg: nid yw hon yn ddelwedd y gellir ei dangos (PNG, JPEG, GIF neu WebP)"),
        (URDU, "evil.svg: یہ ایسی تصویر نہیں جو دکھائی جا سکے (PNG، JPEG، GIF یا WebP)"),
        ({}, "evil.svg: this is not an image that can be shown (PNG, JPEG, GIF or WebP)"),
    ],
)
def test_an_image_upload_refusal_is_in_the_staff_member_s_language(admin, import_survey, headers, refusal):
    import io

    survey = import_survey("short_text")
    response = admin.post(
        f"/admin/surveys/{survey.slug}/images",
        data={"images": [(io.BytesIO(b"<svg/>"), "evil.svg")]},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert response.status_code == 400
    assert refusal in page_text(response)


@pytest.mark.parametrize(
    "headers, created",
    [(WELSH, "3 Chwef 2026 12:05"), (URDU, "3 فروری 2026 12:05"), ({}, "3 Feb 2026 12:05")],
)
def test_the_api_token_times_are_in_utc_and_the_page_s_language(admin, headers, created):
    import datetime

    from surveyapp.models import User
    from surveyapp.services.tokens import issue_token

    user = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
    _, token = issue_token(db.session, user)
    token.created_at = datetime.datetime(2026, 2, 3, 12, 5, tzinfo=datetime.UTC)  # 12:05 GMT and UTC alike
    db.session.commit()
    assert created in page_text(admin.get("/account", headers=headers))


def test_no_template_writes_a_month_name_with_strftime():
    """Month names come from Babel in the page's language (the `localtime` filter), never from strftime's
    English %B / %b."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "strftime('%-d %b" in path.read_text() or "strftime('%-d %B" in path.read_text()
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "headers, words",
    [(WELSH, "public_link: (heb ei osod)"), (URDU, "public_link: (مقرر نہیں)"), ({}, "public_link: (not set)")],
)
def test_a_setting_that_had_no_value_is_named_so_in_the_staff_member_s_language(admin, import_survey, headers, words):
    from surveyapp.services import drafts

    survey = import_survey("short_text")
    draft = drafts.draft_of(survey)
    draft.setdefault("settings", {})["public_link"] = True
    drafts.save_draft(survey, draft)
    db.session.commit()
    text = page_text(admin.get(f"/admin/surveys/{survey.slug}/editor/changes", headers=headers))
    assert words in text

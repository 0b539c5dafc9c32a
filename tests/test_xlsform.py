"""XLSForm in: pyxform reads the workbook, the engine maps it onto pages and questions, or refuses by row."""

from __future__ import annotations

import io
import zipfile

import pytest
from xlsform_helpers import UNSUPPORTED_FORM, workbook

from surveyapp.questionnaires.loader import load_definition_data
from surveyapp.questionnaires.xlsform import MAX_UNPACKED_BYTES, XLSFormError, read_xlsform

HEADERS = [
    "type",
    "name",
    "label::English (en)",
    "label::Urdu (ur)",
    "hint::English (en)",
    "required",
    "required_message::English (en)",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "appearance",
    "calculation",
    "parameters",
]


def _row(type_, name, label=None, **columns):
    values = {"type": type_, "name": name, "label::English (en)": label, **columns}
    return [values.get(h.replace("::English (en)", "::English (en)"), None) for h in HEADERS]


def _rows(*rows):
    return [HEADERS, *rows]


PUBLISHED_SHAPE = workbook(
    _rows(
        _row("start", "start"),
        _row("end", "end"),
        _row("note", "welcome", "Thank you for taking part"),
        _row("select_one yes_no", "consent", "Do you agree to take part?", required="yes"),
        ["begin group", "about", "About you", None, None, None, None, "${consent} = 'yes'", None, None, "field-list"],
        _row(
            "integer",
            "age",
            "How old are you?",
            **{
                "label::Urdu (ur)": "آپ کی عمر کتنی ہے؟",
                "hint::English (en)": "In years",
                "required": "TRUE",
                "required_message::English (en)": "Enter your age",
                "constraint": ". >= 16 and . <= 120",
                "constraint_message::English (en)": "Enter an age from 16 to 120",
            },
        ),
        _row("select_one area or_other", "area", "Where do you live?"),
        _row("end group", None),
        _row("calculate", "adult", None, calculation="if(${age} >= 18, 'yes', 'no')"),
        _row("begin group", "care", "Your care", relevant="${adult} = 'yes'"),
        _row("select_multiple services", "used", "Which services did you use?", required="yes"),
        _row("text", "story", "Tell us about your care", appearance="multiline"),
        _row("end group", None),
        _row("select_one agree", "listened", "Staff listened to me", appearance="likert"),
        _row("range", "score", "How likely are you to recommend us?", parameters="start=0 end=10 step=1"),
        _row("decimal", "distance", "How far did you travel (km)?"),
        _row("date", "visit", "When was your last visit?", constraint=". <= today()"),
        _row("acknowledge", "done", "I have finished"),
    ),
    [
        ["list name", "name", "label::English (en)", "label::Urdu (ur)"],
        ["yes_no", "yes", "Yes", "ہاں"],
        ["yes_no", "no", "No", "نہیں"],
        ["area", "north", "North", "شمال"],
        ["area", "south", "South", "جنوب"],
        ["services", "gp", "A GP", "جی پی"],
        ["services", "nurse", "A nurse", "نرس"],
        ["agree", "agree", "Agree", "متفق"],
        ["agree", "disagree", "Disagree", "غیر متفق"],
    ],
    [
        ["form_title", "form_id", "version", "default_language"],
        ["Care feedback", "care_feedback", "2026120101", "English (en)"],
    ],
)


def _pages(definition):
    return {p["name"]: p for p in definition["pages"]}


def test_a_form_shaped_like_published_ones_maps_onto_pages_and_questions():
    converted = read_xlsform(PUBLISHED_SHAPE, "care.xlsx")
    definition = converted.definition
    assert definition["slug"] == "care-feedback" and definition["title"] == "Care feedback"
    pages = _pages(definition)
    # notes before a question share its page; a field-list group is one page with its condition
    assert [q["name"] for q in pages["page_consent"]["questions"]] == ["welcome", "consent"]
    assert pages["page_consent"]["questions"][1]["type"] == "yes_no"
    about = pages["about"]
    assert about["title"] == "About you" and about["relevant"] == "${consent} = 'yes'"
    age, area, area_other = about["questions"]
    assert age == {
        "name": "age",
        "type": "integer",
        "label": "How old are you?",
        "hint": "In years",
        "required": True,
        "required_message": "Enter your age",
        "constraint": ". >= 16 and . <= 120",
        "constraint_message": "Enter an age from 16 to 120",
    }
    assert area["type"] == "single_choice"
    assert [c["value"] for c in area["choices"]] == ["north", "south", "other"]
    # or_other: the text question follows on the same page, shown when 'other' is chosen
    assert area_other["name"] == "area_other" and area_other["relevant"] == "selected(${area}, 'other')"
    # a group without field-list: each question on its own page, titled by the group, under its condition;
    # the calculation is written into the condition that uses it
    used, story = pages["page_used"], pages["page_story"]
    assert used["title"] == story["title"] == "Your care"
    assert used["relevant"] == "(if(${age} >= 18, 'yes', 'no')) = 'yes'"
    assert used["questions"][0]["type"] == "multiple_choice" and used["questions"][0]["required"] is True
    assert story["questions"][0]["type"] == "long_text"
    assert pages["page_listened"]["questions"][0]["type"] == "likert"
    assert pages["page_score"]["questions"][0] | {"label": ""} == {
        "name": "score",
        "type": "rating",
        "label": "",
        "min": 0,
        "max": 10,
    }
    assert pages["page_distance"]["questions"][0]["type"] == "decimal"
    assert pages["page_visit"]["questions"][0]["constraint"] == ". <= today()"
    assert pages["page_done"]["questions"][0]["choices"] == [{"value": "OK", "label": "OK"}]
    notices = "\n".join(converted.notices)
    # the Urdu columns become the translations block (the language's own name, from its code)
    assert definition.get("settings", {}).get("language", "en") == "en"
    urdu = definition["translations"]["ur"]
    assert urdu["name"] == "اردو"
    assert urdu["questions"]["age"] == {"label": "آپ کی عمر کتنی ہے؟"}
    # pyxform adds or_other's option in every language, in English
    assert urdu["questions"]["area"]["choices"] == {"north": "شمال", "south": "جنوب", "other": "Other"}
    assert urdu["questions"]["consent"]["choices"] == {"yes": "ہاں", "no": "نہیں"}
    assert urdu["questions"]["listened"]["choices"] == {"agree": "متفق", "disagree": "غیر متفق"}
    assert "done" not in urdu["questions"]  # acknowledge keeps no choices of its own
    assert "Urdu" not in notices
    assert "form_id 'care_feedback' became the survey's slug 'care-feedback'" in notices
    assert "start (start, row 2), end (end, row 3)" in notices
    assert converted.left_out == []
    load_definition_data(definition)  # and it is a valid native definition


def test_odd_header_spellings_and_the_default_language_column_are_read_by_pyxform():
    data = workbook(
        [
            ["Type", "Name", "Label", "label::Polish (pl)", "Hint", "Required", "Relevance"],
            ["select one colours", "colour", "Favourite colour?", "Ulubiony kolor?", "Pick one", "yes", None],
            ["text", "why", "Why?", "Dlaczego?", None, None, "${colour} = 'red'"],
            ["integer", "how-many", "How many?", "Ile?"],
            ["text", "which", "Which?", "Które?", None, None, "${how-many} > 1"],
        ],
        [["list_name", "value", "label", "label::Polish (pl)"], ["colours", "red", "Red", "Czerwony"]],
    )
    converted = read_xlsform(data, "Colour Survey.xlsx")
    definition = converted.definition
    colour, why, how_many, which = (p["questions"][0] for p in definition["pages"])
    assert colour["label"] == "Favourite colour?" and colour["hint"] == "Pick one" and colour["required"] is True
    assert colour["choices"] == [{"value": "red", "label": "Red"}]
    assert why["relevant"] == "${colour} = 'red'"
    assert definition["slug"] == "colour-survey"  # no form_id: pyxform's fallback, the file's name
    # XLSForm allows '-' in names, the product does not: renamed, and the conditions follow
    assert how_many["name"] == "how_many" and which["relevant"] == "${how_many} > 1"
    assert "names with characters the product does not allow in names were changed: how-many is how_many" in (
        converted.notices
    )


UNSUPPORTED = workbook(
    [
        ["type", "name", "label", "default", "choice_filter", "calculation", "relevant"],
        ["text", "fine", "A question we can ask"],  # row 2
        ["geopoint", "location", "Where are you?"],  # row 3
        ["geotrace", "route", "Your route"],  # row 4
        ["audio", "voice", "Say something"],  # row 5
        ["image", "photo", "Take a photo"],  # row 6
        ["barcode", "code", "Scan the code"],  # row 7
        ["time", "when", "What time?"],  # row 8: supported
        ["datetime", "stamp", "Date and time"],  # row 9: supported
        ["begin repeat", "people", "Each person"],  # row 10
        ["text", "person", "Name"],  # row 11
        ["end repeat", None, None],  # row 12
        ["select_one_from_file towns.csv", "town", "Town"],  # row 13
        ["calculate", "prior", None, None, None, "pulldata('visits', 'count', 'id', ${fine})"],  # row 14
        ["integer", "more", "More visits?", None, None, None, "${prior} > 2"],  # row 15
        ["integer", "count", "How many?", "3"],  # row 16: a default, supported
        ["select_one colours", "shade", "Which shade?", None, "colour = ${fine}"],  # row 17: supported
        ["rank colours", "order", "Put them in order"],  # row 18: supported
        ["text", "hello", "Hello ${prior}"],  # row 19
        ["text", "later", "Later", None, None, None, "concat(${fine}, 'x') = 'ax'"],  # row 20
    ],
    [["list_name", "name", "label", "colour"], ["colours", "red", "Red", "r"], ["colours", "blue", "Blue", "b"]],
    [["form_title", "form_id"], ["Hard form", "hard-form"]],
)


def test_each_unsupported_part_is_refused_once_naming_sheet_row_column_and_what_to_do():
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(UNSUPPORTED, "hard.xlsx")
    messages = [str(p) for p in caught.value.problems]
    expected = [
        "sheet 'survey', row 3, type 'geopoint': a web survey here cannot record a location",
        "sheet 'survey', row 4, type 'geotrace':",
        "sheet 'survey', row 5, type 'audio': the product does not take photos, recordings or files",
        "sheet 'survey', row 6, type 'image':",
        "sheet 'survey', row 7, type 'barcode': the product cannot scan barcodes; use a text question",
        "sheet 'survey', row 10, type 'begin repeat': repeats are not supported",
        "sheet 'survey', row 13, type 'select_one_from_file towns.csv': choices from an external file",
        "sheet 'survey', row 14, column 'calculation': pulldata() reads a CSV file attached to the form",
        "sheet 'survey', row 19, column 'label': the label shows the calculation 'prior'",
        "sheet 'survey', row 20, column 'relevant': the expression 'concat(${fine}, 'x') = 'ax'' cannot be used",
    ]
    assert len(messages) == len(expected), "\n".join(messages)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message
    assert all(";" in m or ":" in m.split(": ", 1)[1] for m in messages)  # each says what to do
    assert caught.value.unsupported == len(expected)


def test_skip_unsupported_imports_the_rest_and_lists_what_it_left_out():
    converted = read_xlsform(UNSUPPORTED, "hard.xlsx", skip_unsupported=True)
    questions = [q["name"] for p in converted.definition["pages"] for q in p["questions"]]
    assert questions == ["fine", "when", "stamp", "count", "shade", "order"]
    assert len(converted.left_out) == 11
    assert converted.left_out[0].startswith("sheet 'survey', row 3, type 'geopoint'")
    assert "sheet 'survey', row 15, column 'relevant': uses prior, which was left out" in converted.left_out
    load_definition_data(converted.definition)


def test_skip_unsupported_also_leaves_out_what_depends_on_a_left_out_question():
    data = workbook(
        [
            ["type", "name", "label", "relevant", "constraint"],
            ["geopoint", "where", "Where?"],
            ["text", "near", "What is near?", "${where} != ''"],
            ["integer", "n", "How many?", None, ". > 0 or ${where} = ''"],
        ]
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    assert len(caught.value.problems) == 1  # the dependants are not separate problems
    converted = read_xlsform(data, skip_unsupported=True)
    [page] = converted.definition["pages"]
    assert page["questions"] == [{"name": "n", "type": "integer", "label": "How many?"}]
    assert converted.left_out[1] == "sheet 'survey', row 3, column 'relevant': uses where, which was left out"
    assert converted.left_out[2] == "sheet 'survey', row 4, column 'constraint': uses where, which was left out"


def test_mistakes_found_by_the_engine_point_at_the_row():
    data = workbook(
        [
            ["type", "name", "label", "relevant"],
            ["text", "first", "First", "${second} = 'x'"],
            ["text", "second", "Second"],
            ["note", "blank", None],
        ]
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    messages = [str(p) for p in caught.value.problems]
    assert any(
        m.startswith(
            "sheet 'survey', row 2, question 'first': 'relevant' refers to question 'second', which comes later"
        )
        for m in messages
    ), messages
    assert caught.value.unsupported == 0


def test_pyxform_own_checks_come_through_with_their_row():
    data = workbook(
        [["type", "name", "label"], ["text", "a", "A"], ["select_one nolist", "q", "Q"]],
        [["list_name", "name", "label"], ["colours", "red", "Red"]],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    [problem] = caught.value.problems
    assert str(problem).startswith("pyxform: [row : 3]") and "nolist" in str(problem), str(problem)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 this is not really a zip file", "the file is not an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "this is an old Excel .xls file: save it as"),
        (_zip({"hello.txt": b"hi"}), "the file cannot be read as an Excel workbook (.xlsx)"),
        (_zip({"xl/big.xml": b"\x00" * (MAX_UNPACKED_BYTES + 1)}), "the workbook unpacks to more than 4 MB"),
        (workbook([["a", "b"], ["1", "2"]])[:-200], "the file is not an Excel workbook (.xlsx)"),
    ],
    ids=["not-a-zip", "xls", "zip-not-workbook", "zip-bomb", "truncated"],
)
def test_damaged_or_hostile_files_get_one_plain_message(data, message):
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, "bad.xlsx")
    [problem] = caught.value.problems
    assert str(problem).startswith(message), str(problem)


def test_a_workbook_without_a_survey_sheet_says_so():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.create_sheet("choices").append(["list_name", "name", "label"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(out.getvalue())
    assert "no sheet named 'survey' (its sheets: 'Sheet1', 'choices')" in str(caught.value)


def test_unsupported_form_helper_is_refused_once():
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(UNSUPPORTED_FORM)
    assert [str(p) for p in caught.value.problems] == [
        "sheet 'survey', row 3, type 'geopoint': a web survey here cannot record a location; ask for a place "
        "or postcode with a text question"
    ]


def test_pictures_in_choices_are_one_problem_and_skipping_keeps_the_choices_by_name():
    data = workbook(
        [["type", "name", "label"], ["select_one animals", "pet", "Which pet?"]],
        [
            ["list_name", "name", "label", "image"],
            ["animals", "cat", None, "cat.png"],
            ["animals", "dog", "Dog", "dog.png"],
        ],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    assert [str(p) for p in caught.value.problems] == [
        "sheet 'survey', row 2, list 'animals': pictures and sounds in choices are not supported; remove those columns"
    ]
    [page] = read_xlsform(data, skip_unsupported=True).definition["pages"]
    assert page["questions"][0]["choices"] == [{"value": "cat", "label": "cat"}, {"value": "dog", "label": "Dog"}]


def test_a_guidance_hint_is_named_in_the_notices_not_dropped_quietly():
    converted = read_xlsform(
        workbook(
            [
                ["type", "name", "label", "hint", "guidance_hint"],
                ["text", "q1", "Your name", "As on your letter", "Ask gently"],
            ],
            settings=[["form_title", "form_id"], ["Guided", "guided"]],
        )
    )
    question = converted.definition["pages"][0]["questions"][0]
    assert question["hint"] == "As on your letter" and "Ask gently" not in str(converted.definition)
    assert converted.notices == [
        "sheet 'survey', row 2, column 'guidance_hint': a guidance hint is for interviewers and paper forms; "
        "it was not imported"
    ]


def test_time_and_date_and_time_are_imported_with_their_constraints():
    data = workbook(
        [
            ["type", "name", "label", "constraint", "required"],
            ["time", "arrived", "What time did you arrive?", ". >= '08:00'", "yes"],
            ["dateTime", "booked", "When did you book?", None, None],
            ["datetime", "seen", "When were you seen?", ". >= ${booked}", None],
        ]
    )
    definition = read_xlsform(data, "times.xlsx").definition
    arrived, booked, seen = (p["questions"][0] for p in definition["pages"])
    assert (arrived["type"], arrived["constraint"], arrived["required"]) == ("time", ". >= '08:00'", True)
    assert booked["type"] == "datetime" and seen["type"] == "datetime"
    assert seen["constraint"] == ". >= ${booked}"
    load_definition_data(definition)


def test_hidden_default_and_read_only_are_imported():
    data = workbook(
        [
            ["type", "name", "label", "default", "read_only", "required", "relevant"],
            ["hidden", "campaign", None, "spring", None, None, None],  # before any question: its page
            ["integer", "visits", "How many visits?", "2", None, None, None],
            ["text", "clinic", "Clinic", "Riverside", "yes", "yes", None],  # required dropped, with a note
            ["date", "seen_on", "Seen on", "2026-02-03", None, None, None],
            ["time", "seen_at", "Seen at", "09:05", None, None, None],
            ["hidden", "wave", None, "2", None, None, "${visits} > 1"],  # after a question: on its page
            ["select_multiple who", "who", "Who?", "gp nurse", None, None, None],
            ["integer", "later", "Later", "${visits} + 1", None, None, None],  # refused: worked out
        ],
        [["list_name", "name", "label"], ["who", "gp", "A GP"], ["who", "nurse", "A nurse"]],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, "advance.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "sheet 'survey', row 9, column 'default': a default worked out from other answers or functions is not "
        "supported; give a fixed answer (like 3, yes, 2026-01-31 or 14:30), or use a calculate row in the "
        "condition that needs it"
    ]
    converted = read_xlsform(data, "advance.xlsx", skip_unsupported=True)
    pages = converted.definition["pages"]
    questions = {q["name"]: q for p in pages for q in p["questions"]}
    assert [q["name"] for q in pages[0]["questions"]] == ["campaign", "visits"]
    assert questions["campaign"] == {"name": "campaign", "type": "hidden", "label": "campaign", "default": "spring"}
    assert questions["clinic"]["read_only"] is True and "required" not in questions["clinic"]
    assert "sheet 'survey', row 4, column 'required': a read-only question cannot be required" in " ".join(
        converted.notices
    )
    assert questions["seen_on"]["default"] == "2026-02-03" and questions["seen_at"]["default"] == "09:05"
    assert questions["who"]["default"] == "gp nurse" and questions["visits"]["default"] == "2"
    assert [["seen_at", "wave"]] == [[q["name"] for q in p["questions"]] for p in pages if "wave" in str(p)]
    assert "default" not in questions["later"]
    questionnaire = load_definition_data(converted.definition)
    assert questionnaire.question("seen_at").default_value.isoformat() == "09:05:00"

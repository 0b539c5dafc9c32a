"""XLSForm language columns (label::Cymraeg (cy), hint::Urdu (ur) ...) in and out of the translations block."""

from __future__ import annotations

import io

from pyxform.xls2xform import convert
from xlsform_helpers import workbook

from surveyapp.questionnaires.loader import load_definition_data
from surveyapp.questionnaires.xlsform import read_xlsform
from surveyapp.services.xlsform import xlsform_bytes

EN, CY, UR = "English (en)", "Welsh (cy)", "Urdu (ur)"
HEADERS = ["type", "name", "required", "constraint", "appearance"] + [
    f"{column}::{language}"
    for column in ("label", "hint", "required_message", "constraint_message")
    for language in (EN, CY, UR)
]


def row(type_, name, required=None, constraint=None, appearance=None, **texts):
    """texts: label=(en, cy, ur), hint=(...), ..."""
    cells = [type_, name, required, constraint, appearance]
    for column in ("label", "hint", "required_message", "constraint_message"):
        cells.extend(texts.get(column, (None, None, None)))
    return cells


THREE_LANGUAGES = workbook(
    [
        HEADERS,
        row("begin group", "visits", appearance="field-list", label=("Your visits", "Eich ymweliadau", "آپ کے دورے")),
        row(
            "select_one frequency",
            "how_often",
            required="yes",
            label=("How often do you visit?", "Pa mor aml ydych chi'n ymweld?", "آپ کتنی بار آتے ہیں؟"),
            hint=("Think about the last year.", "Meddyliwch am y flwyddyn ddiwethaf.", "پچھلے سال کے بارے میں سوچیں۔"),
            required_message=("Select how often", "Dewiswch pa mor aml", "منتخب کریں کہ کتنی بار"),
        ),
        row(
            "integer",
            "age",
            constraint=". >= 16",
            label=("How old are you?", "Faint yw eich oed?", "آپ کی عمر کیا ہے؟"),
            constraint_message=(
                "You must be 16 or over",
                "Rhaid i chi fod yn 16 oed neu hŷn",
                "آپ کی عمر 16 سال یا زیادہ ہونی چاہیے",
            ),
        ),
        row("end group", "visits"),
        row("begin group", "views", appearance="field-list", label=("Your views", "Eich barn", "آپ کی رائے")),
        row(
            "select_one yes_no",
            "helpful",
            label=("Were the staff helpful?", "Oedd y staff yn barod i helpu?", "کیا عملہ مددگار تھا؟"),
        ),
        # no Urdu text here: the English one is used
        row("text", "comments", appearance="multiline", label=("Anything else?", "Unrhyw beth arall?", None)),
        row("end group", "views"),
    ],
    [
        ["list_name", "name", f"label::{EN}", f"label::{CY}", f"label::{UR}"],
        ["frequency", "never", "Never", "Byth", "کبھی نہیں"],
        ["frequency", "weekly", "Every week", "Bob wythnos", "ہر ہفتے"],
        ["yes_no", "yes", "Yes", "Oedden", "ہاں"],
        ["yes_no", "no", "No", "Nac oedden", "نہیں"],
    ],
    [
        ["form_title", "form_id", "default_language", f"form_title::{CY}", f"form_title::{UR}"],
        ["Your pharmacy", "pharmacy", EN, "Eich fferyllfa", "آپ کی فارمیسی"],
    ],
)


def test_language_columns_become_the_translations_block():
    converted = read_xlsform(THREE_LANGUAGES, "pharmacy.xlsx")
    definition = converted.definition
    assert definition.get("settings", {}).get("language", "en") == "en"
    welsh, urdu = definition["translations"]["cy"], definition["translations"]["ur"]
    # languages written by their English names are named as they name themselves
    assert welsh["name"] == "Cymraeg" and urdu["name"] == "اردو"
    assert welsh["title"] == "Eich fferyllfa" and urdu["title"] == "آپ کی فارمیسی"
    assert welsh["pages"] == {"visits": {"title": "Eich ymweliadau"}, "views": {"title": "Eich barn"}}
    assert welsh["questions"]["how_often"] == {
        "label": "Pa mor aml ydych chi'n ymweld?",
        "hint": "Meddyliwch am y flwyddyn ddiwethaf.",
        "required_message": "Dewiswch pa mor aml",
        "choices": {"never": "Byth", "weekly": "Bob wythnos"},
    }
    assert urdu["questions"]["age"]["constraint_message"] == "آپ کی عمر 16 سال یا زیادہ ہونی چاہیے"
    assert urdu["questions"]["helpful"]["choices"] == {"yes": "ہاں", "no": "نہیں"}
    assert "comments" not in urdu["questions"]  # missing: falls back to English
    questionnaire = load_definition_data(definition)
    assert questionnaire.translated("ur").question("comments").label == "Anything else?"
    assert questionnaire.translated("ur").language_info().dir == "rtl"
    assert [q["type"] for p in definition["pages"] for q in p["questions"]] == [
        "single_choice",
        "integer",
        "yes_no",
        "long_text",
    ]


def test_three_languages_come_back_the_same_through_export_and_import():
    questionnaire = load_definition_data(read_xlsform(THREE_LANGUAGES, "pharmacy.xlsx").definition)
    exported = xlsform_bytes(questionnaire)
    again = load_definition_data(read_xlsform(exported, "export.xlsx").definition)
    assert again.to_dict() == questionnaire.to_dict()


def test_the_exported_workbook_has_a_column_per_language_and_pyxform_reads_its_translations():
    questionnaire = load_definition_data(read_xlsform(THREE_LANGUAGES, "pharmacy.xlsx").definition)
    exported = xlsform_bytes(questionnaire)
    result = convert(xlsform=io.BytesIO(exported), file_type=".xlsx", validate=False)
    assert '<translation lang="English (en)" default="true()">' in result.xform
    assert '<translation lang="Cymraeg (cy)">' in result.xform and '<translation lang="اردو (ur)">' in result.xform
    assert "Bob wythnos" in result.xform and "ہر ہفتے" in result.xform


def test_a_language_column_without_a_code_that_is_not_known_is_named_in_a_notice():
    data = workbook(
        [["type", "name", "label", "label::Klingon"], ["text", "q", "Question?", "Qu'?"]],
        None,
        [["form_title", "form_id"], ["T", "t"]],
    )
    converted = read_xlsform(data, "t.xlsx")
    assert "translations" not in converted.definition
    assert any("'Klingon' were not imported" in n and "label::Cymraeg (cy)" in n for n in converted.notices)

"""A questionnaire in several languages: the translations block, its checks and the translated questionnaire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveyapp.questionnaires.loader import DefinitionError, load_definition_file, load_definition_text

HERE = Path(__file__).parent
LANGUAGES = HERE / "questionnaires" / "languages.yaml"


@pytest.fixture(scope="module")
def questionnaire():
    return load_definition_file(LANGUAGES)


def problems_of(text: str) -> str:
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(text)
    return str(caught.value)


def test_languages_are_the_default_first_then_each_translation_with_own_name_and_direction(questionnaire):
    assert [(lang.code, lang.name, lang.dir) for lang in questionnaire.languages()] == [
        ("en", "English", "ltr"),
        ("cy", "Cymraeg", "ltr"),
        ("ur", "اردو", "rtl"),
    ]


def test_translated_questionnaire_carries_every_translated_text(questionnaire):
    welsh = questionnaire.translated("cy")
    assert welsh.language == "cy" and welsh.original is questionnaire
    assert welsh.title == "Eich fferyllfa leol"
    assert welsh.description == "Arolwg byr am eich fferyllfa leol."
    assert welsh.setting("organisation") == "Partneriaeth Iechyd Glan yr Afon"
    assert [p.title for p in welsh.pages] == ["Eich ymweliadau", "Eich barn"]
    how_often = welsh.question("how_often")
    assert how_often.label == "Pa mor aml ydych chi'n mynd i'r fferyllfa?"
    assert how_often.hint == "Meddyliwch am y flwyddyn ddiwethaf."
    assert how_often.required_message.startswith("Dewiswch")
    # choice lists' translations reach every question using the list; values (codes) are unchanged
    assert [(c.value, c.label) for c in how_often.choices] == [
        ("never", "Byth"),
        ("monthly", "Tua unwaith y mis"),
        ("weekly", "Bob wythnos"),
    ]
    assert welsh.question("helpful").choice_label("no") == "Nac oedden"
    assert welsh.question("age").constraint_message == "Rhowch eich oed go iawn"


def test_a_missing_translation_falls_back_to_the_default_language(questionnaire):
    urdu = questionnaire.translated("ur")
    assert urdu.question("comments").label == "Is there anything else you would like to tell us?"
    assert urdu.setting("organisation") == "Riverside Health Partnership"  # no Urdu organisation given
    assert urdu.question("how_often").label == "آپ کتنی بار فارمیسی جاتے ہیں؟"


def test_the_default_language_or_an_unknown_code_gives_the_questionnaire_itself(questionnaire):
    assert questionnaire.translated("en") is questionnaire
    assert questionnaire.translated("fr") is questionnaire
    assert questionnaire.translated("<script>") is questionnaire
    assert questionnaire.translated("cy").translated("ur").language == "ur"
    assert questionnaire.translated("cy").translated("en") is questionnaire


def test_translated_questions_are_other_objects_so_per_question_caches_stay_per_language(questionnaire):
    welsh = questionnaire.translated("cy")
    assert welsh.question("how_often") is not questionnaire.question("how_often")
    assert welsh.pages[0] is not questionnaire.pages[0]
    assert questionnaire.question("how_often").label == "How often do you visit the pharmacy?"


def test_translations_survive_to_dict_and_back(questionnaire):
    stored = questionnaire.to_dict()
    assert "choice_lists" not in stored["translations"]["cy"]  # written into the questions, as choices are
    again = load_definition_text(json.dumps(stored))
    assert again.to_dict() == stored
    assert again.translated("ur").question("how_often").choice_label("weekly") == "ہر ہفتے"
    assert again.setting("language") == "en"


def test_unknown_pages_questions_and_choices_in_a_translation_are_named():
    text = LANGUAGES.read_text(encoding="utf-8")
    text = text.replace("views: {title: Eich barn}", "viewz: {title: Eich barn}")
    text = text.replace("      age:\n        label: Faint", "      agee:\n        label: Faint")
    text = text.replace("monthly: Tua", "montly: Tua")
    text = text.replace('choices: {"yes": "Oedden"', 'choices: {"yep": "Oedden"')
    message = problems_of(text)
    assert "translation 'cy': there is no page called 'viewz' in the form (did you mean 'views'?)" in message
    assert "translation 'cy': there is no question called 'agee' in the form (did you mean 'age'?)" in message
    assert "choice list 'frequency' has no choice with the value 'montly' (did you mean 'monthly'?)" in message
    assert "question 'helpful' has no choice with the value 'yep'" in message


def test_choices_translated_on_a_question_without_choices_are_refused():
    text = LANGUAGES.read_text(encoding="utf-8").replace(
        "        constraint_message: Rhowch eich oed go iawn\n",
        "        constraint_message: Rhowch eich oed go iawn\n        choices: {a: b}\n",
    )
    assert "question 'age' has no choices to translate" in problems_of(text)


@pytest.mark.parametrize("code", ["UR", "english", "c", "cy_GB", "x" * 40, "<script>"])
def test_language_codes_must_be_bcp47_shaped(code):
    text = LANGUAGES.read_text(encoding="utf-8").replace("  ur:\n", f"  '{code}':\n")
    assert f"translation '{code}': '{code}' is not a language code" in problems_of(text)
    text = LANGUAGES.read_text(encoding="utf-8").replace("  language: en\n", f"  language: '{code}'\n")
    assert "is not a language code" in problems_of(text)


def test_the_default_languages_entry_may_give_only_its_name_and_direction():
    with_name = LANGUAGES.read_text(encoding="utf-8").replace(
        "translations:\n", "translations:\n  en: {name: Saesneg}\n"
    )
    assert load_definition_text(with_name).languages()[0].name == "Saesneg"
    text = with_name.replace("{name: Saesneg}", "{name: Saesneg, title: Hi}")
    assert "'en' is the default language (settings.language)" in problems_of(text)


def test_unknown_keys_in_a_translation_are_errors():
    text = LANGUAGES.read_text(encoding="utf-8").replace("        hint: Meddyliwch", "        hnit: Meddyliwch")
    assert "translation 'cy': unknown key 'hnit' (did you mean 'hint'?)" in problems_of(text)


def test_direction_comes_from_the_table_of_rtl_languages_unless_given():
    text = LANGUAGES.read_text(encoding="utf-8").replace("    name: اردو\n", "    name: اردو\n    dir: ltr\n")
    assert load_definition_text(text).translated("ur").language_info().dir == "ltr"
    text = LANGUAGES.read_text(encoding="utf-8").replace("  ur:\n    name: اردو\n", "  ar:\n")
    arabic = load_definition_text(text).translated("ar")
    assert arabic.language_info().name == "العربية" and arabic.language_info().rtl

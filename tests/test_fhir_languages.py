"""FHIR translation extensions: every text of a questionnaire in its other languages, out and back in."""

from __future__ import annotations

from test_fhir import BASE, QUESTIONNAIRES, export, items_by_link_id

from surveyapp.questionnaires import fhir
from surveyapp.questionnaires.fhir_import import definition_from_questionnaire
from surveyapp.questionnaires.fhir_translations import TRANSLATION
from surveyapp.questionnaires.loader import load_definition_data, load_definition_file


def translations_of(element: dict, key: str) -> dict[str, str]:
    """lang -> content of the translation extensions on element[key] (FHIR's `_key`)."""
    found = {}
    for extension in element.get(f"_{key}", {}).get("extension", []):
        assert extension["url"] == TRANSLATION
        parts = {p["url"]: p for p in extension["extension"]}
        found[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return found


def test_every_translated_text_carries_the_standard_translation_extension():
    resource = export("languages")  # validated with fhir.resources R4B
    assert resource["language"] == "en"
    assert translations_of(resource, "title") == {"cy": "Eich fferyllfa leol", "ur": "آپ کی مقامی فارمیسی"}
    assert translations_of(resource, "description")["cy"] == "Arolwg byr am eich fferyllfa leol."
    items = items_by_link_id(resource)
    assert translations_of(items["visits"], "text") == {"cy": "Eich ymweliadau", "ur": "آپ کے دورے"}
    assert translations_of(items["how_often"], "text")["ur"] == "آپ کتنی بار فارمیسی جاتے ہیں؟"
    assert translations_of(items["how_often-hint"], "text")["cy"] == "Meddyliwch am y flwyddyn ddiwethaf."
    weekly = next(o for o in items["how_often"]["answerOption"] if o["valueCoding"]["code"] == "weekly")
    assert translations_of(weekly["valueCoding"], "display") == {"cy": "Bob wythnos", "ur": "ہر ہفتے"}
    # a text with no translation (comments in Urdu) has none: readers fall back to the default
    assert set(translations_of(items["comments"], "text")) == {"cy"}


def test_a_questionnaire_from_elsewhere_with_only_translation_extensions_imports_its_languages():
    resource = export("languages")
    resource["extension"] = [e for e in resource["extension"] if not e["url"].endswith(fhir.TRANSLATIONS_PATH)]
    definition = definition_from_questionnaire(resource)
    welsh = definition["translations"]["cy"]
    assert welsh["title"] == "Eich fferyllfa leol"
    assert welsh["pages"]["visits"] == {"title": "Eich ymweliadau"}
    assert welsh["questions"]["how_often"]["label"] == "Pa mor aml ydych chi'n mynd i'r fferyllfa?"
    assert welsh["questions"]["how_often"]["choices"]["weekly"] == "Bob wythnos"
    assert welsh["questions"]["helpful"]["choices"] == {"yes": "Oedden", "no": "Nac oedden"}  # yes_no's own options
    urdu = load_definition_data(definition).translated("ur")
    assert urdu.question("age").label == "آپ کی عمر کیا ہے؟" and urdu.language_info().rtl


def test_the_translations_come_back_exactly_through_export_and_import():
    resource = export("languages")
    original = load_definition_file(QUESTIONNAIRES / "languages.yaml")
    assert load_definition_data(definition_from_questionnaire(resource)).to_dict() == original.to_dict()
    assert resource["url"].startswith(BASE)

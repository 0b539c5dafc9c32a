"""HL7 FHIR R4: questionnaires out and in, responses out as a Bundle; every output validated with fhir.resources.

fhir.resources 8 defaults to R5; its R4B package is used here (R4B changed nothing in Questionnaire,
QuestionnaireResponse or Bundle from R4 4.0.1).
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path

import pytest
import yaml
from dashboard_data import add_contact, respond
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import g
from sqlalchemy import event

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey, SurveyVersion, User
from surveyapp.questionnaires import fhir, types
from surveyapp.questionnaires.fhir_import import FhirImportError, definition_from_questionnaire
from surveyapp.questionnaires.loader import DefinitionError, load_definition_data, load_definition_file
from surveyapp.services import fhir as fhir_service
from surveyapp.services.tokens import issue_token
from surveyapp.services.users import create_user, find_user

QUESTIONNAIRES = Path(__file__).parent / "questionnaires"
BASE = "https://surveys.example.org"


def export(name: str = "fhir_all_types") -> dict:
    resource = fhir.questionnaire_resource(load_definition_file(QUESTIONNAIRES / f"{name}.yaml"), BASE, version=1)
    FhirQuestionnaire.model_validate(resource)  # raises on anything R4 does not allow
    return json.loads(json.dumps(resource))  # what a client receives


def items_by_link_id(resource: dict) -> dict[str, dict]:
    """Every item by linkId, checking the R4 invariants fhir.resources leaves to a full validator."""
    found = {}
    stack = list(resource.get("item", []))
    while stack:
        item = stack.pop()
        assert item["linkId"] not in found  # que-2: linkIds are unique
        assert len(item.get("enableWhen", [])) < 2 or item["enableBehavior"] in ("all", "any")  # que-12
        assert item["type"] != "display" or not ({"item", "required", "repeats"} & set(item))  # que-1c, que-6
        assert item["type"] != "group" or item.get("item")  # que-1a: a group has items
        assert "maxLength" not in item or item["type"] in ("string", "text")  # que-10 (as the engine uses it)
        found[item["linkId"]] = item
        stack.extend(item.get("item", []))
    return found


def extension(item: dict, url: str) -> dict | None:
    return next((e for e in item.get("extension", []) if e["url"] == url), None)


# --- Questionnaire export -------------------------------------------------------------------


def test_every_question_type_is_exported_as_a_valid_r4_questionnaire():
    resource = export()
    items = items_by_link_id(resource)
    definition = load_definition_file(QUESTIONNAIRES / "fhir_all_types.yaml")
    assert {q.type for q in definition.all_questions()} == set(types.names())  # the file covers every type
    expected = {
        "intro": "display",
        "consent": "choice",
        "visited": "choice",
        "colour": "choice",
        "pets": "choice",
        "pets_other": "string",
        "listened": "choice",
        "score": "integer",
        "visits": "integer",
        "distance": "decimal",
        "when": "date",
        "arrived": "time",
        "seen_at": "dateTime",
        "comments": "text",
    }
    assert {name: items[name]["type"] for name in expected} == expected
    # a time compared with a time: enableWhen with answerTime
    assert items["seen_at"]["enableWhen"] == [{"question": "arrived", "operator": ">=", "answerTime": "12:00:00"}]
    assert resource["id"] == "fhir-all" and resource["url"] == f"{BASE}/fhir/Questionnaire/fhir-all"
    assert resource["version"] == "1" and resource["status"] == "active"
    assert [p["linkId"] for p in resource["item"]] == ["about", "details"]
    assert all(p["type"] == "group" for p in resource["item"])
    assert items["details"]["text"] == "Details"


def test_choices_required_repeats_bounds_and_hints():
    items = items_by_link_id(export())
    assert items["colour"]["answerOption"] == [
        {"valueCoding": {"code": "red", "display": "Red"}},
        {"valueCoding": {"code": "blue", "display": "Blue"}},
    ]
    assert items["pets"]["repeats"] is True and "repeats" not in items["colour"]
    assert [o["valueCoding"]["code"] for o in items["visited"]["answerOption"]] == ["yes", "no"]
    assert [o["valueCoding"]["display"] for o in items["listened"]["answerOption"]][0] == "Strongly agree"
    assert items["visited"]["required"] is True and items["consent"]["required"] is True
    assert "required" not in items["colour"]
    assert extension(items["visits"], fhir.MIN_VALUE) == {"url": fhir.MIN_VALUE, "valueInteger": 0}
    assert extension(items["visits"], fhir.MAX_VALUE)["valueInteger"] == 50
    assert extension(items["distance"], fhir.MIN_VALUE)["valueDecimal"] == 0.5
    assert extension(items["when"], fhir.MAX_VALUE)["valueDate"] == "2030-12-31"
    assert items["pets_other"]["maxLength"] == 40
    assert extension(items["pets_other"], fhir.MIN_LENGTH)["valueInteger"] == 2
    assert extension(items["pets_other"], fhir.REGEX)["valueString"] == "[A-Za-z ]+"
    # the rating: a slider from 0 to 10 with its end labels
    score = items["score"]
    control = extension(score, fhir.ITEM_CONTROL)["valueCodeableConcept"]["coding"][0]["code"]
    assert control == "slider" and extension(score, fhir.MAX_VALUE)["valueInteger"] == 10
    assert items["score-lower"]["text"] == "Not at all likely" and items["score-upper"]["type"] == "display"
    # hints: a display child, or the item after a note (a display item has no children)
    assert items["colour-hint"]["text"] == "Pick one." and items["colour"]["item"][0]["linkId"] == "colour-hint"
    about = [i["linkId"] for i in export()["item"][0]["item"]]
    assert about[:2] == ["intro", "intro-hint"]
    constraint = extension(items["when"], fhir.TARGET_CONSTRAINT)
    parts = {p["url"]: p for p in constraint["extension"]}
    assert parts["expression"]["valueExpression"]["expression"] == ". <= today()"
    assert parts["human"]["valueString"] == "The date cannot be in the future"


def test_simple_conditions_become_enable_when():
    items = items_by_link_id(export())
    assert items["details"]["enableWhen"] == [{"question": "visited", "operator": "=", "answerCoding": {"code": "yes"}}]
    assert "enableBehavior" not in items["details"]
    assert items["pets_other"]["enableWhen"] == [
        {"question": "pets", "operator": "=", "answerCoding": {"code": "other"}}
    ]
    assert items["visits"]["enableBehavior"] == "all"
    assert items["visits"]["enableWhen"] == [
        {"question": "score", "operator": ">=", "answerInteger": 7},
        {"question": "colour", "operator": "=", "answerCoding": {"code": "red"}},
    ]
    assert items["distance"]["enableBehavior"] == "any"
    assert items["distance"]["enableWhen"] == [
        {"question": "visits", "operator": ">", "answerInteger": 2},
        {"question": "pets", "operator": "exists", "answerBoolean": False},
    ]


@pytest.mark.parametrize(
    "name, expression",
    [
        ("comments", "${visits} + 1 > 3"),  # arithmetic
        ("why_not", "${score} < 5 and (${colour} = 'red' or ${colour} = 'blue')"),  # and of an or
        ("extra", "${pets} = 'cat'"),  # exactly 'cat' in XLSForm, 'cat among them' in FHIR
    ],
)
def test_other_conditions_are_kept_as_the_sdc_enable_when_expression(name, expression):
    item = items_by_link_id(export())[name]
    assert "enableWhen" not in item
    found = extension(item, fhir.SDC_ENABLE_WHEN_EXPRESSION)
    assert found["valueExpression"] == {"language": fhir.XLSFORM_LANGUAGE, "expression": expression}


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("'yes' = ${visited}", [{"question": "visited", "operator": "=", "answerCoding": {"code": "yes"}}]),
        ("5 < ${score}", [{"question": "score", "operator": ">", "answerInteger": 5}]),
        ("${when} >= date('2024-02-01')", [{"question": "when", "operator": ">=", "answerDate": "2024-02-01"}]),
        ("${distance} <= 2.5", [{"question": "distance", "operator": "<=", "answerDecimal": 2.5}]),
        ("not(selected(${pets}, 'dog'))", [{"question": "pets", "operator": "!=", "answerCoding": {"code": "dog"}}]),
        ("${pets_other} != 'x'", [{"question": "pets_other", "operator": "!=", "answerString": "x"}]),
        ("${colour} != ''", [{"question": "colour", "operator": "exists", "answerBoolean": True}]),
    ],
)
def test_one_comparison_in_either_order(condition, expected):
    definition = load_definition_file(QUESTIONNAIRES / "fhir_all_types.yaml")
    earlier = {q.name: q for q in definition.all_questions()}
    assert fhir.enable_when(condition, earlier) == {"enableWhen": expected}


@pytest.mark.parametrize("name", sorted(p.stem for p in QUESTIONNAIRES.glob("*.yaml") if p.stem != "broken"))
def test_round_trip_gives_the_same_questionnaire(name):
    """Export then import: the same definition, every key included (engine-only keys ride in extensions)."""
    original = load_definition_file(QUESTIONNAIRES / f"{name}.yaml")
    resource = export(name)
    items_by_link_id(resource)  # the invariants hold for every test questionnaire
    back = load_definition_data(definition_from_questionnaire(resource))
    assert back.to_dict() == original.to_dict()


# --- Questionnaire import -------------------------------------------------------------------

FREQUENCY = [
    ("LA6568-5", "Not at all", 0),
    ("LA6569-3", "Several days", 1),
    ("LA6570-1", "More than half the days", 2),
    ("LA6571-9", "Nearly every day", 3),
]
PHQ9 = [
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    ("44258-2", "Feeling bad about yourself - or that you are a failure or have let yourself or your family down"),
    ("44252-5", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    ("44253-3", "Moving or speaking so slowly that other people could have noticed? Or the opposite"),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
]
GAD7 = [
    ("69725-0", "Feeling nervous, anxious or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid as if something awful might happen"),
]


def published_shape(identifier: str, title: str, code: str, questions: list[tuple[str, str]]) -> dict:
    """A Questionnaire written here in the shape of the published (LOINC) PHQ-9 and GAD-7."""
    options = [
        {
            "valueCoding": {"system": "http://loinc.org", "code": c, "display": d},
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": n}],
        }
        for c, d, n in FREQUENCY
    ]
    return {
        "resourceType": "Questionnaire",
        "id": identifier,
        "meta": {"profile": ["http://hl7.org/fhir/4.0/StructureDefinition/Questionnaire"]},
        "url": f"http://loinc.org/q/{code}",
        "name": title.replace(" ", "").replace("-", ""),
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "code": [{"system": "http://loinc.org", "code": code, "display": title}],
        "item": [
            {
                "linkId": f"/{code}",
                "text": "Over the last 2 weeks, how often have you been bothered by the following problems?",
                "type": "group",
                "required": False,
                "item": [
                    {
                        "linkId": f"/{code}/{loinc}",
                        "code": [{"system": "http://loinc.org", "code": loinc}],
                        "text": text,
                        "type": "choice",
                        "required": True,
                        "answerOption": options,
                    }
                    for loinc, text in questions
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    "resource, count",
    [
        (published_shape("phq-9", "PHQ-9 quick depression assessment panel", "44249-1", PHQ9), 9),
        (published_shape("gad-7", "Generalized anxiety disorder 7 item (GAD-7)", "69737-5", GAD7), 7),
    ],
)
def test_phq9_and_gad7_import_as_surveys(app, resource, count):
    FhirQuestionnaire.model_validate(resource)  # the test data is itself valid R4
    result = fhir_service.import_questionnaire(db.session, json.dumps(resource), "test")
    db.session.commit()
    assert result.created_survey and result.survey.slug == resource["id"]
    questionnaire = load_definition_data(result.version.definition)
    questions = questionnaire.all_questions()
    assert len(questions) == count and len(questionnaire.pages) == 1
    assert all(q.type == "single_choice" and q.required for q in questions)
    assert all([(c.value, c.label) for c in q.choices] == [(c, d) for c, d, _ in FREQUENCY] for q in questions)
    code = resource["code"][0]["code"]
    first_code = (PHQ9 if count == 9 else GAD7)[0][0]
    assert questions[0].name == f"q_{code}_{first_code}".replace("-", "_")  # from the linkId /CODE/CODE
    assert questionnaire.pages[0].title.startswith("Over the last 2 weeks")
    # and the survey exports again as valid FHIR, with the same codes
    exported = fhir_service.questionnaire_resource(db.session, result.survey)
    FhirQuestionnaire.model_validate(exported)
    first = exported["item"][0]["item"][0]
    assert [o["valueCoding"]["code"] for o in first["answerOption"]] == [c for c, _, _ in FREQUENCY]


def test_enable_when_imports_as_an_xlsform_condition():
    resource = {
        "resourceType": "Questionnaire",
        "id": "conditions",
        "title": "Conditions",
        "status": "draft",
        "item": [
            {"linkId": "smoker", "text": "Do you smoke?", "type": "boolean"},
            {
                "linkId": "how-many",
                "text": "How many a day?",
                "type": "integer",
                "enableWhen": [{"question": "smoker", "operator": "=", "answerBoolean": True}],
            },
            {
                "linkId": "help",
                "text": "Would you like help?",
                "type": "choice",
                "answerOption": [{"valueString": "Yes please"}, {"valueString": "No thanks"}],
                "enableBehavior": "any",
                "enableWhen": [
                    {"question": "how-many", "operator": ">", "answerInteger": 10},
                    {"question": "smoker", "operator": "exists", "answerBoolean": False},
                ],
            },
            {
                "linkId": "which",
                "text": "Which kind of help?",
                "type": "string",
                "enableWhen": [{"question": "help", "operator": "=", "answerString": "Yes please"}],
            },
        ],
    }
    definition = definition_from_questionnaire(resource)
    questions = {q["name"]: q for q in definition["pages"][0]["questions"]}
    assert questions["smoker"]["type"] == "yes_no"
    assert questions["how_many"]["relevant"] == "${smoker} = 'yes'"
    assert questions["help"]["relevant"] == "${how_many} > 10 or ${smoker} = ''"
    assert questions["help"]["choices"] == [
        {"value": "yes_please", "label": "Yes please"},
        {"value": "no_thanks", "label": "No thanks"},
    ]
    assert questions["which"]["relevant"] == "${help} = 'yes_please'"
    load_definition_data(definition)  # the engine accepts it


def refusals(items: list[dict], **top) -> list[str]:
    resource = {"resourceType": "Questionnaire", "id": "refused", "title": "Refused", "status": "draft", "item": items}
    resource.update(top)
    with pytest.raises(FhirImportError) as caught:
        definition_from_questionnaire(resource)
    return caught.value.problems


def test_unsupported_item_types_are_refused_one_message_each():
    problems = refusals(
        [
            {"linkId": "ok", "text": "Fine", "type": "string"},
            {"linkId": "photo", "text": "A photo of the rash", "type": "attachment"},
            {"linkId": "gp", "text": "Your GP", "type": "reference"},
            {"linkId": "weight", "text": "Your weight", "type": "quantity"},
            {"linkId": "kind", "text": "Kind", "type": "open-choice", "answerOption": [{"valueString": "A"}]},
            {"linkId": "born", "text": "Born at", "type": "url"},
        ]
    )
    assert problems == [
        "item 'photo' (type attachment): file uploads are not supported: remove it, or ask for a description "
        "in a 'text' item",
        "item 'gp' (type reference): references to other FHIR resources are not supported: remove it, or ask in "
        "a 'string' item",
        "item 'weight' (type quantity): use a 'decimal' item and put the unit in its text",
        "item 'kind' (type open-choice): use 'choice', and add a 'string' item shown when 'other' is chosen",
        "item 'born' (type url): use a 'string' item",
    ]


def test_other_things_that_cannot_map_are_refused_by_item():
    calculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
    problems = refusals(
        [
            {"linkId": "mood", "text": "Mood", "type": "choice", "answerValueSet": "http://example.org/vs"},
            {
                "linkId": "score",
                "text": "Total score",
                "type": "integer",
                "readOnly": True,
                "extension": [{"url": calculated, "valueExpression": {"language": "text/fhirpath", "expression": "1"}}],
            },
            {"linkId": "names", "text": "Names", "type": "string", "repeats": True},
            {
                "linkId": "later",
                "text": "Later",
                "type": "string",
                "extension": [
                    {
                        "url": fhir.SDC_ENABLE_WHEN_EXPRESSION,
                        "valueExpression": {"language": "text/fhirpath", "expression": "%resource.item.count() > 1"},
                    }
                ],
            },
            {
                "linkId": "outer",
                "type": "group",
                "text": "Outer",
                "item": [{"linkId": "inner", "type": "group", "text": "Inner", "item": []}],
            },
            {
                "linkId": "ghost",
                "text": "Ghost",
                "type": "string",
                "enableWhen": [{"question": "nowhere", "operator": "=", "answerString": "x"}],
            },
        ]
    )
    assert len(problems) == 6
    assert problems[0].startswith("item 'mood' (type choice): a choice item needs its options listed in answerOption")
    assert problems[1].startswith("item 'score' (type integer): a calculated item")
    assert problems[2].startswith("item 'names' (type string): repeated answers are only supported for 'choice'")
    assert problems[3].startswith("item 'later' (type string): its enableWhenExpression is not in the XLSForm")
    assert problems[4].startswith("item 'inner' (type group): groups inside groups are not supported")
    assert problems[5] == "item 'ghost' (type string): enableWhen refers to 'nowhere', which is not an earlier question"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ('{"resourceType": "Patient", "id": "p1"}', "this is a FHIR Patient, not a Questionnaire"),
        ('{"resourceType": "Questionnaire", "status": "draft"}', "the Questionnaire has no title"),
        ('{"resourceType": "Questionnaire"' + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"resourceType": "Questionnaire", "title": "' + "x" * (6 * 1024 * 1024) + '"}', "larger than 5 MB"),
        ("[1, 2]", "not a FHIR resource"),
    ],
)
def test_unreadable_input_is_a_clear_message_and_nothing_is_imported(app, text, message):
    with pytest.raises(FhirImportError) as caught:
        fhir_service.import_questionnaire(db.session, text, "test")
    assert message in str(caught.value)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Survey.id))) == 0


def test_import_goes_through_the_same_validation_and_versioning_as_yaml(app, import_survey):
    survey = import_survey("fhir_all_types")
    resource = fhir_service.questionnaire_resource(db.session, survey)
    resource["item"][0]["item"][2]["text"] = "Did you visit us in the last year?"
    result = fhir_service.import_questionnaire(db.session, json.dumps(resource), "test")
    db.session.commit()
    assert not result.created_survey and result.version.number == 1  # replaced: no one had answered it
    assert result.survey.public_link_enabled  # the settings came back too
    respond(result.survey, {"visited": "yes"})
    db.session.commit()
    result = fhir_service.import_questionnaire(db.session, json.dumps(resource), "test")
    db.session.commit()
    assert result.created_version and result.version.number == 2
    # what the engine refuses is refused as for YAML (a loader.DefinitionError, with its problems)
    score = resource["item"][1]["item"][1]
    assert score["linkId"] == "score"
    next(e for e in score["extension"] if e["url"] == fhir.MAX_VALUE)["valueInteger"] = 50
    with pytest.raises(DefinitionError, match="at most 21 points"):
        fhir_service.import_questionnaire(db.session, json.dumps(resource), "test")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(SurveyVersion.id))) == 2


# --- responses ---------------------------------------------------------------------------------


@pytest.fixture
def answered(app, import_survey):
    survey = import_survey("fhir_all_types")
    alice = add_contact("alice.secret@example.org", practice="north")
    alice.name = "Alice Secretname"
    respond(
        survey,
        {
            "consent": "yes",
            "visited": "yes",
            "colour": "red",
            "pets": ["cat", "other"],
            "pets_other": "Tortoise",
            "listened": "agree",
            "score": 9,
            "visits": 3,
            "distance": decimal.Decimal("2.5"),
            "when": datetime.date(2025, 3, 1),
            "arrived": datetime.time(12, 5),
            "seen_at": datetime.datetime(2025, 3, 1, 12, 40),
            "comments": "Kind staff",
        },
        alice,
        submitted_at=datetime.datetime(2025, 3, 2, 10, 30, tzinfo=datetime.UTC),
    )
    respond(survey, {"consent": "yes", "visited": "no"})
    respond(survey, {"consent": "yes", "visited": "yes", "colour": "blue"}, complete=False)
    voided = respond(survey, {"consent": "yes", "visited": "no", "colour": "blue", "pets_other": "VOIDED"})
    voided.voided_at = datetime.datetime.now(datetime.UTC)
    db.session.commit()
    return survey


def validated_bundle(bundle: dict) -> dict:
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        QuestionnaireResponse.model_validate(entry["resource"])
    return json.loads(json.dumps(bundle))


def answers_of(resource: dict) -> dict[str, list]:
    return {
        item["linkId"]: [next(iter(a.items())) for a in item["answer"]]
        for group in resource.get("item", [])
        for item in group["item"]
    }


def test_responses_bundle_is_valid_and_holds_the_answers(answered):
    bundle = validated_bundle(fhir_service.responses_bundle(db.session, answered))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    resources = [e["resource"] for e in bundle["entry"]]
    assert [r["status"] for r in resources] == ["completed", "completed"]  # in-progress and voided left out
    first = resources[0]
    assert first["questionnaire"].endswith("/fhir/Questionnaire/fhir-all|1")
    assert first["authored"] == "2025-03-02T10:30:00Z"
    assert bundle["entry"][0]["fullUrl"].endswith(f"/fhir/QuestionnaireResponse/{first['id']}")
    assert answers_of(first) == {
        "consent": [("valueCoding", {"code": "yes", "display": "Yes"})],
        "visited": [("valueCoding", {"code": "yes", "display": "Yes"})],
        "colour": [("valueCoding", {"code": "red", "display": "Red"})],
        "pets": [
            ("valueCoding", {"code": "cat", "display": "Cat"}),
            ("valueCoding", {"code": "other", "display": "Something else"}),
        ],
        "pets_other": [("valueString", "Tortoise")],
        "listened": [("valueCoding", {"code": "agree", "display": "Agree"})],
        "score": [("valueInteger", 9)],
        "visits": [("valueInteger", 3)],
        "distance": [("valueDecimal", 2.5)],
        "when": [("valueDate", "2025-03-01")],
        "arrived": [("valueTime", "12:05:00")],
        "seen_at": [("valueDateTime", "2025-03-01T12:40:00+00:00")],  # GMT in Europe/London (the default zone)
        "comments": [("valueString", "Kind staff")],
    }
    assert [g["linkId"] for g in first["item"]] == ["about", "details"]
    assert answers_of(resources[1]) == {
        "consent": [("valueCoding", {"code": "yes", "display": "Yes"})],
        "visited": [("valueCoding", {"code": "no", "display": "No"})],
    }


def test_responses_bundle_holds_no_personal_data(answered):
    text = json.dumps(fhir_service.responses_bundle(db.session, answered, include_in_progress=True))
    for secret in ("alice", "Secretname", "example.org", "north", "VOIDED", "inv:", "pub:"):
        assert secret not in text
    resource = json.loads(text)["entry"][0]["resource"]
    assert set(resource) == {"resourceType", "id", "questionnaire", "status", "authored", "item"}


def test_in_progress_responses_only_when_asked(answered):
    bundle = validated_bundle(fhir_service.responses_bundle(db.session, answered, include_in_progress=True))
    statuses = [e["resource"]["status"] for e in bundle["entry"]]
    assert statuses == ["completed", "completed", "in-progress"]


def test_responses_bundle_reads_the_answers_in_one_query_whatever_the_number_of_responses(app, import_survey):
    survey = import_survey("fhir_all_types")

    def statements() -> int:
        seen = []
        engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            fhir_service.responses_bundle(db.session, db.session.get(Survey, survey.id))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    respond(survey, {"consent": "yes", "visited": "yes", "colour": "red"})
    db.session.commit()
    few = statements()
    for n in range(12):
        respond(survey, {"consent": "yes", "visited": "yes", "colour": "blue", "score": n % 11, "pets": ["dog"]})
    db.session.commit()
    assert statements() == few <= 4


# --- CLI and API -------------------------------------------------------------------------------------


def test_cli_exports_the_questionnaire_and_the_responses(runner, answered, tmp_path):
    result = runner.invoke(args=["surveys", "export-fhir", "fhir-all"])
    assert result.exit_code == 0, result.output
    FhirQuestionnaire.model_validate(json.loads(result.output))
    out = tmp_path / "responses.json"
    result = runner.invoke(args=["surveys", "export-fhir", "fhir-all", "--responses", "-o", str(out)])
    assert result.exit_code == 0, result.output
    bundle = validated_bundle(json.loads(out.read_text()))
    assert len(bundle["entry"]) == 2
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.target == "fhir-responses")) is not None
    result = runner.invoke(args=["surveys", "export-fhir", "no-such-survey"])
    assert result.exit_code == 1 and "No survey with the slug 'no-such-survey'" in result.output
    result = runner.invoke(args=["surveys", "export-fhir", "fhir-all", "--version", "7"])
    assert result.exit_code == 1 and "has no version 7" in result.output
    result = runner.invoke(args=["surveys", "export-fhir", "fhir-all", "--responses", "--version", "1"])
    assert result.exit_code == 1 and "--version is for the questionnaire" in result.output


def test_cli_import_detects_a_fhir_questionnaire(runner, tmp_path):
    path = tmp_path / "phq9.json"
    path.write_text(json.dumps(published_shape("phq-9", "PHQ-9", "44249-1", PHQ9)))
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "phq-9 version 1 (new survey)" in result.output
    # a YAML definition written as JSON (no resourceType) still goes through the YAML import
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(load_definition_file(QUESTIONNAIRES / "yes_no.yaml").to_dict()))
    result = runner.invoke(args=["surveys", "import", str(plain)])
    assert result.exit_code == 0 and "test-yes-no version 1 (new survey)" in result.output


def test_cli_import_of_an_unsupported_questionnaire_lists_each_problem(runner, tmp_path):
    resource = published_shape("phq-9", "PHQ-9", "44249-1", PHQ9)
    resource["item"][0]["item"].append({"linkId": "photo", "text": "Photo", "type": "attachment"})
    path = tmp_path / "phq9.json"
    path.write_text(json.dumps(resource))
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 problem(s), nothing was imported" in result.output
    assert "item 'photo' (type attachment): file uploads are not supported" in result.output
    patient = tmp_path / "patient.json"
    patient.write_text('{"resourceType": "Patient"}')
    result = runner.invoke(args=["surveys", "import", str(patient)])
    assert result.exit_code == 1 and "this is a FHIR Patient, not a Questionnaire" in result.output
    assert db.session.scalar(db.select(db.func.count(Survey.id))) == 0


def bearer(role: str) -> dict:
    email = f"fhir-{role}@example.org"
    if db.session.scalar(db.select(User.id).where(User.email == email)) is None:
        create_user(db.session, email, role, "a-long-test-password-123")
    token, _ = issue_token(db.session, find_user(db.session, email))
    db.session.commit()
    g.pop("_login_user", None)
    return {"Authorization": f"Bearer {token}"}


def test_api_serves_the_questionnaire_as_fhir_json(client, answered):
    response = client.get("/api/surveys/fhir-all/fhir/questionnaire", headers=bearer("analyst"))
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    FhirQuestionnaire.model_validate(json.loads(response.data))
    assert response.headers["Cache-Control"] == "no-store"
    response = client.get("/api/surveys/fhir-all/fhir/questionnaire?version=1", headers=bearer("analyst"))
    assert json.loads(response.data)["version"] == "1"
    response = client.get("/api/surveys/fhir-all/fhir/questionnaire?version=9", headers=bearer("analyst"))
    assert response.status_code == 404 and response.is_json
    response = client.get("/api/surveys/fhir-all/fhir/questionnaire?version=x", headers=bearer("analyst"))
    assert response.status_code == 400
    assert client.get("/api/surveys/nope/fhir/questionnaire", headers=bearer("admin")).status_code == 404


def test_api_serves_the_responses_bundle_and_audits_it(client, answered):
    response = client.get("/api/surveys/fhir-all/fhir/responses", headers=bearer("admin"))
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    bundle = validated_bundle(json.loads(response.data))
    assert len(bundle["entry"]) == 2 and "alice" not in response.get_data(as_text=True)
    response = client.get("/api/surveys/fhir-all/fhir/responses?in_progress=1", headers=bearer("analyst"))
    assert len(json.loads(response.data)["entry"]) == 3
    audits = db.session.scalars(db.select(AuditEvent).where(AuditEvent.target == "fhir-responses")).all()
    assert sorted(a.count for a in audits) == [2, 3] and {a.action for a in audits} == {"results.export"}


@pytest.mark.parametrize("path", ["/api/surveys/fhir-all/fhir/questionnaire", "/api/surveys/fhir-all/fhir/responses"])
def test_api_fhir_needs_a_token_and_an_analyst_or_admin(client, answered, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("volunteer")).status_code == 403


@pytest.mark.parametrize(
    "query", ["version=-1", "version=%EF%BC%91", "version=99999999999999999999999", "version=%00", "in_progress=%FF"]
)
def test_api_fhir_hostile_query_values_get_a_4xx_or_the_default_never_a_500(client, answered, query):
    for path in ("/api/surveys/fhir-all/fhir/questionnaire", "/api/surveys/fhir-all/fhir/responses"):
        response = client.get(f"{path}?{query}", headers=bearer("admin"))
        assert response.status_code in (200, 400, 404), (path, query, response.status_code)


def test_the_admin_import_page_takes_a_fhir_questionnaire_too(app):
    from auth_helpers import make_user, sign_in

    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    resource = published_shape("gad-7", "GAD-7", "69737-5", GAD7)
    response = client.post("/admin/surveys/import", data={"definition_text": json.dumps(resource)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/surveys/gad-7")
    resource["item"][0]["item"][0]["type"] = "attachment"
    page = client.post("/admin/surveys/import", data={"definition_text": json.dumps(resource)})
    assert page.status_code == 200 and "nothing was imported" in page.text
    assert "item &#39;/69737-5/69725-0&#39; (type attachment): file uploads are not supported" in page.text


@pytest.mark.parametrize(
    "resource",
    [
        {"title": 5, "id": [], "item": "x"},
        {"title": "T", "extension": "x", "item": ["a", None, 3]},
        {"title": "T", "item": [{"linkId": ["a"], "type": {"x": 1}}, {"linkId": "b", "type": ["string"]}]},
        {"title": "T", "item": [{"linkId": "a", "type": "choice", "answerOption": "x", "enableWhen": {"a": 1}}]},
        {"title": "T", "item": [{"linkId": "a", "type": "string", "item": 2.5, "extension": [True, {"url": []}]}]},
        {"title": "T", "item": [{"linkId": "g", "type": "group", "item": {"linkId": "x"}}]},
    ],
)
def test_malformed_questionnaires_are_refused_with_messages_never_a_crash(resource):
    with pytest.raises((FhirImportError, DefinitionError)):
        load_definition_data(definition_from_questionnaire({"resourceType": "Questionnaire", **resource}))


def test_the_streamed_bundle_is_the_same_bundle(answered):
    from surveyapp.analysis import fhir_responses

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    for in_progress in (False, True):
        streamed = "".join(fhir_responses.responses_bundle_json(db.session, answered, BASE, in_progress, moment))
        whole = fhir_responses.responses_bundle(db.session, answered, BASE, in_progress, moment)
        assert json.loads(streamed) == whole and len(whole["entry"]) == (3 if in_progress else 2)
        assert fhir_responses.response_count(db.session, answered, in_progress) == len(whole["entry"])


def test_a_survey_without_responses_exports_a_valid_empty_bundle(app, import_survey, client):
    from surveyapp.analysis import fhir_responses

    survey = import_survey("yes_no")
    streamed = json.loads("".join(fhir_responses.responses_bundle_json(db.session, survey, BASE)))
    assert streamed == fhir_responses.responses_bundle(db.session, survey, BASE, now=None) | {
        "timestamp": streamed["timestamp"]
    }
    assert "entry" not in streamed
    Bundle.model_validate(streamed)
    response = client.get(f"/api/surveys/{survey.slug}/fhir/responses", headers=bearer("admin"))
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    Bundle.model_validate(json.loads(response.get_data()))


def test_a_date_and_time_answer_carries_the_offset_of_where_it_was_given():
    definition = load_definition_file(QUESTIONNAIRES / "fhir_all_types.yaml")
    seen_at = definition.question("seen_at")
    summer = datetime.datetime(2025, 7, 1, 9, 15)
    assert fhir.answer_values(seen_at, summer) == [{"valueDateTime": "2025-07-01T09:15:00+01:00"}]  # BST
    from zoneinfo import ZoneInfo

    in_new_york = fhir.answer_values(seen_at, summer, ZoneInfo("America/New_York"))
    assert in_new_york == [{"valueDateTime": "2025-07-01T09:15:00-04:00"}]
    assert fhir.answer_values(definition.question("arrived"), datetime.time(7, 0)) == [{"valueTime": "07:00:00"}]


def test_time_and_date_time_items_import_as_those_types_with_their_conditions():
    definition = definition_from_questionnaire(
        {
            "resourceType": "Questionnaire",
            "status": "active",
            "title": "Times",
            "item": [
                {"linkId": "arrived", "text": "Arrived at", "type": "time"},
                {
                    "linkId": "seen",
                    "text": "Seen at",
                    "type": "dateTime",
                    "enableWhen": [{"question": "arrived", "operator": "<", "answerTime": "09:30:00"}],
                },
            ],
        }
    )
    questions = {q["name"]: q for p in definition["pages"] for q in p["questions"]}
    assert questions["arrived"]["type"] == "time" and questions["seen"]["type"] == "datetime"
    assert questions["seen"]["relevant"] == "${arrived} < '09:30'"
    load_definition_data(definition)


def test_defaults_read_only_and_hidden_are_initial_values_read_only_and_the_hidden_extension():
    items = items_by_link_id(export())  # validated by fhir.resources (que-11: no initial with answerOption)
    assert items["how_many"]["initial"] == [{"valueInteger": 2}]
    assert items["arrived"]["initial"] == [{"valueTime": "09:00:00"}]
    assert items["seen_at"]["initial"] == [{"valueDateTime": "2025-03-01T12:30:00+00:00"}]
    assert items["clinic"]["readOnly"] is True and items["clinic"]["initial"] == [{"valueString": "Riverside"}]
    assert "readOnly" not in items["how_many"]
    assert [o.get("initialSelected") for o in items["pets"]["answerOption"]] == [True, True, None]
    assert "initial" not in items["pets"]
    assert items["campaign"]["type"] == "string"
    assert extension(items["campaign"], fhir.HIDDEN) == {"url": fhir.HIDDEN, "valueBoolean": True}


def test_initial_values_read_only_and_hidden_items_from_other_systems_are_imported():
    definition = definition_from_questionnaire(
        {
            "resourceType": "Questionnaire",
            "status": "active",
            "title": "Elsewhere",
            "item": [
                {
                    "linkId": "site",
                    "text": "Site",
                    "type": "string",
                    "extension": [{"url": fhir.HIDDEN, "valueBoolean": True}],
                    "initial": [{"valueString": "north"}],
                },
                {
                    "linkId": "ward",
                    "text": "Ward",
                    "type": "string",
                    "readOnly": True,
                    "required": True,
                    "initial": [{"valueString": "Ward 7"}],
                },
                {"linkId": "n", "text": "How many?", "type": "integer", "initial": [{"valueInteger": 3}]},
                {"linkId": "on", "text": "On", "type": "date", "initial": [{"valueDate": "2026-01-02"}]},
                {
                    "linkId": "at",
                    "text": "At",
                    "type": "dateTime",
                    "initial": [{"valueDateTime": "2026-01-02T10:15:00Z"}],
                },
                {"linkId": "ok", "text": "OK?", "type": "boolean", "initial": [{"valueBoolean": True}]},
                {
                    "linkId": "pick",
                    "text": "Pick",
                    "type": "choice",
                    "answerOption": [
                        {"valueCoding": {"code": "a", "display": "A"}},
                        {"valueCoding": {"code": "b", "display": "B"}, "initialSelected": True},
                    ],
                },
            ],
        }
    )
    questions = {q["name"]: q for p in definition["pages"] for q in p["questions"]}
    assert questions["site"]["type"] == "hidden" and questions["site"]["default"] == "north"
    assert questions["ward"]["read_only"] is True and "required" not in questions["ward"]
    assert [questions[n]["default"] for n in ("n", "on", "at", "ok", "pick")] == [
        "3",
        "2026-01-02",
        "2026-01-02T10:15",
        "yes",
        "b",
    ]
    load_definition_data(definition)


# --- Images ---------------------------------------------------------------------------------

WITH_AN_IMAGE = """
title: Pharmacy
slug: pharmacy-visits
pages:
  - name: visits
    title: Visits
    questions:
      - name: often
        type: single_choice
        label: How often do you go to the pharmacy?
        image: pharmacy.png
        image_alt: A pharmacy counter
        choices: [{value: weekly, label: Weekly}, {value: rarely, label: Rarely}]
      - name: seen
        type: yes_no
        label: Were you seen in private?
        image: private-room.JPG
"""


def test_a_questions_image_is_exported_as_sdc_item_media_and_comes_back():
    original = load_definition_data(yaml.safe_load(WITH_AN_IMAGE))
    resource = fhir.questionnaire_resource(original, BASE, version=1)
    FhirQuestionnaire.model_validate(resource)
    items = items_by_link_id(json.loads(json.dumps(resource)))
    assert extension(items["often"], fhir.ITEM_MEDIA)["valueAttachment"] == {
        "contentType": "image/png",
        "title": "A pharmacy counter",
        "url": f"{BASE}/media/pharmacy-visits/pharmacy.png",
    }
    # an image the author gave no text alternative is decorative: no title
    assert extension(items["seen"], fhir.ITEM_MEDIA)["valueAttachment"] == {
        "contentType": "image/jpeg",
        "url": f"{BASE}/media/pharmacy-visits/private-room.JPG",
    }
    back = load_definition_data(definition_from_questionnaire(resource))
    assert back.to_dict() == original.to_dict()


def test_item_media_from_other_systems_names_the_image_and_a_bad_one_is_refused():
    def with_media(attachment) -> dict:
        item = {"linkId": "q", "text": "Q", "type": "string"}
        item["extension"] = [{"url": fhir.ITEM_MEDIA, "valueAttachment": attachment}]
        return {"resourceType": "Questionnaire", "status": "active", "title": "T", "item": [item]}

    definition = definition_from_questionnaire(
        with_media({"url": "https://forms.example.org/pics/PHQ 9 (large).png?v=2", "title": "A calm room"})
    )
    question = definition["pages"][0]["questions"][0]
    assert (question["image"], question["image_alt"]) == ("PHQ-9-large.png", "A calm room")
    load_definition_data(definition)
    for attachment in ({"data": "iVBORw0KGgo="}, {"url": "https://forms.example.org/"}, "nonsense"):
        with pytest.raises(FhirImportError) as refused:
            definition_from_questionnaire(with_media(attachment))
        assert "an item's image has no address ending in a file name: remove the itemMedia extension" in str(
            refused.value
        )

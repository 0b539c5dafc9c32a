"""Choice filters (XLSForm's choice_filter): choices with their own columns, a question offering only the choices
its filter keeps for earlier answers. The engine and the loader's messages, the runtime (rendered and parsed lists,
hostile values), the journey through the test client without JavaScript, XLSForm in and out, FHIR, the editor."""

from __future__ import annotations

import io
import json
import re

import pytest
from auth_helpers import make_user, sign_in
from conftest import QUESTIONNAIRES
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from journey_helpers import Journey, error_summary
from pyxform.xls2xform import convert
from sqlalchemy import select
from xlsform_helpers import workbook

from surveyapp.extensions import db
from surveyapp.models import Answer, Choice, Response, Survey
from surveyapp.questionnaires import expressions, fhir, runtime
from surveyapp.questionnaires.definition import Questionnaire
from surveyapp.questionnaires.fhir_import import definition_from_questionnaire
from surveyapp.questionnaires.loader import DefinitionError, load_definition_data, load_definition_text
from surveyapp.questionnaires.xlsform import XLSFormError, read_xlsform
from surveyapp.services import choice_lists, drafts, editing
from surveyapp.services.xlsform import xlsform_bytes

DEMO = (QUESTIONNAIRES / "choice-filter.yaml").read_text()


def _demo() -> Questionnaire:
    return load_definition_text(DEMO)


def _values(choices) -> list[str]:
    return [c.value for c in choices]


# --- the expression language ------------------------------------------------------------------------


def test_a_filter_reads_bare_names_as_the_choices_columns():
    expr = expressions.parse_choice_filter("region = ${region} and pop > 3 or name = 'york'")
    assert expr.columns == {"region", "pop", "name"} and expr.references == {"region"}
    answers = {"region": "north"}
    assert expr.evaluate(answers, {"region": "north", "pop": "5", "name": "leeds"}) is True
    assert expr.evaluate(answers, {"region": "north", "pop": "2", "name": "leeds"}) is False
    assert expr.evaluate(answers, {"region": "south", "pop": "1", "name": "york"}) is True
    assert expr.evaluate(answers, {}) is False  # a choice without the column: empty
    # elsewhere a bare word is still refused with its advice
    with pytest.raises(expressions.ExpressionError, match="refer to a question as"):
        expressions.parse("region = ${region}")


# --- the loader -----------------------------------------------------------------------------------


def test_choices_keep_their_columns_in_lists_and_inline_and_the_definition_round_trips():
    questionnaire = _demo()
    town = questionnaire.question("town")
    assert town.choice_filter == "region = ${region}"
    assert town.choices[0].extra == (("region", "north"),)
    data = questionnaire.to_dict()
    assert data["pages"][1]["questions"][0]["choices"][0] == {"value": "leeds", "label": "Leeds", "region": "north"}
    assert load_definition_data(data).to_dict() == data == Questionnaire.from_dict(data).to_dict()
    inline = load_definition_text(
        DEMO.replace(
            "choices: towns\n        choice_filter: region = ${region}\n", "choices: [{value: a, label: A, n: 3}]\n", 1
        )
    )
    assert inline.question("town").choices[0].extra == (("n", "3"),)  # numbers are text, as in XLSForm


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "choice_filter: region = ${region}\n",
            "choice_filter: regoin = ${region}\n",
            "'choice_filter' uses 'regoin', which is not a column of the question's choices (did you mean 'region'?)",
        ),
        (
            "choice_filter: region = ${region}\n",
            "choice_filter: region = ${regon}\n",
            "'choice_filter' refers to unknown question 'regon' (did you mean 'region'?)",
        ),
        (
            "choice_filter: region = ${region}\n",
            "choice_filter: region = ${visited}\n",
            "'choice_filter' refers to question 'visited', which is on the same page (a choice filter can only use "
            "answers from earlier pages: without JavaScript the list is the one the page was shown with)",
        ),
        (
            "choice_filter: region = ${region}\n",
            "choice_filter: region = ${comments}\n",
            "'choice_filter' refers to question 'comments', which is on a later page",
        ),
        ("choice_filter: region = ${region}\n", "choice_filter: region = ${town}\n", "refers to the question itself"),
        ("choice_filter: region = ${region}\n", "choice_filter: region = .\n", "uses '.'"),
        (
            "choice_filter: region = ${region}\n",
            "choice_filter: region = pulldata('x')\n",
            "'choice_filter' has an error: Unknown function 'pulldata'",
        ),
        (
            "{value: leeds, label: Leeds, region: north}",
            "{value: leeds, lable: Leeds, region: north}",
            "choice 1: 'label' is missing (is 'lable' a misspelling of it?)",
        ),
        (
            "{value: leeds, label: Leeds, region: north}",
            "{value: leeds, label: Leeds, name: north}",
            "choice 1: a choice column cannot be called 'name'",
        ),
        (
            "{value: leeds, label: Leeds, region: north}",
            "{value: leeds, label: Leeds, region: [north]}",
            "choice 1: 'region' must be text",
        ),
        (
            "      - name: comments\n        type: long_text\n",
            "      - name: comments\n        type: long_text\n        choice_filter: a = 1\n",
            "'choice_filter' does not apply to long_text questions",
        ),
    ],
)
def test_the_loader_names_each_mistake_at_its_line(old, new, message):
    assert old in DEMO
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(DEMO.replace(old, new, 1))
    messages = [str(p) for p in caught.value.problems]
    assert any(message in m for m in messages), messages
    assert all(m.startswith("line ") for m in messages)


# --- the runtime ------------------------------------------------------------------------------------


class Form(dict):
    def getlist(self, name):
        value = super().get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    def get(self, name, default=None):
        value = super().get(name, default)
        return value[0] if isinstance(value, list) and value else value


def test_the_offered_choices_follow_earlier_answers_and_contact_attributes():
    questionnaire = _demo()
    town, visited = questionnaire.question("town"), questionnaire.question("visited")
    assert _values(runtime.offered_choices(town, {"region": "north"})) == ["leeds", "york"]
    assert _values(runtime.offered_choices(visited, {"region": "south"})) == ["bristol", "bath", "truro"]
    assert runtime.offered_choices(town, {}) == []
    # hostile answers are values compared as text: nothing is evaluated
    for hostile in ("north' or '1'='1", "${region}", "<script>alert(1)</script>", "x" * 10_000, ["north", "south"]):
        assert runtime.offered_choices(town, {"region": hostile}) == []
    by_contact = load_definition_text(DEMO.replace("region = ${region}\n", "region = ${contact.area}\n", 1))
    assert _values(runtime.offered_choices(by_contact.question("town"), {"contact.area": "south"})) == [
        "bristol",
        "bath",
    ]


def test_a_posted_value_outside_the_filter_is_refused_and_the_other_answers_are_kept():
    page = _demo().page("town")
    answers = {"region": "north"}
    result = runtime.parse_page(page, Form(town="bath", visited=["york", "truro"]), answers)
    assert [(e.name, e.message) for e in result.errors] == [("town", "Select one of the options")]
    assert result.values["visited"] == ["york", "truro"]
    result = runtime.parse_page(page, Form(town="york", visited=["york", "bristol"]), answers)
    assert [(e.name, e.message) for e in result.errors] == [("visited", "Select only from the options shown")]
    assert result.values["town"] == "york"
    result = runtime.parse_page(page, Form(town="leeds", visited=["truro"]), answers)
    assert result.is_valid and result.values == {"town": "leeds", "visited": ["truro"]}


def test_a_question_with_nothing_left_to_offer_is_not_asked():
    questionnaire = _demo()
    page = questionnaire.page("town")
    east = {"region": "east"}
    assert [q.name for q in runtime.visible_questions(page, east)] == ["visited"]  # truro is still offered
    result = runtime.parse_page(page, Form(visited=["truro"]), east)  # town is required, yet not asked
    assert result.is_valid and "town" not in result.values
    rendered = runtime.page_with_offered_choices(page, {"region": "north"})
    assert _values(rendered.questions[0].choices) == ["leeds", "york"] and rendered is not page
    assert page.questions[0].choices[2].value == "bristol"  # the questionnaire itself is untouched
    unfiltered = questionnaire.page("where")
    assert runtime.page_with_offered_choices(unfiltered, {}) is unfiltered


def test_answers_no_longer_offered_are_pruned_when_an_earlier_answer_changes():
    questionnaire = _demo()
    before = {"region": "north", "town": "leeds", "visited": ["leeds", "york", "truro"]}
    assert runtime.prune_hidden(questionnaire, before) == before
    after = runtime.prune_hidden(questionnaire, {**before, "region": "south"})
    assert after == {"region": "south", "visited": ["truro"]}
    assert runtime.prune_hidden(questionnaire, {**before, "region": "east"}) == {"region": "east", "visited": ["truro"]}


def test_a_ranking_of_filtered_choices_orders_only_those_offered():
    questionnaire = load_definition_text(
        DEMO.replace(
            "        type: multiple_choice\n        label: Which of these", "        type: rank\n        label: Order"
        )
    )
    page, answers = questionnaire.page("town"), {"region": "north"}
    # north: leeds, york and truro (south_west) to put in order
    posted = {"town": "leeds", "visited-1": "truro", "visited-2": "york", "visited-3": "leeds"}
    result = runtime.parse_page(page, Form(posted), answers)
    assert result.values["visited"] == ["truro", "york", "leeds"] and result.is_valid, result.errors
    refused = runtime.parse_page(page, Form({**posted, "visited-3": "bath"}), answers)
    assert [e.message for e in refused.errors] == ["Select only from the options shown"]
    kept = {"region": "north", "visited": ["truro", "york", "leeds"]}
    assert runtime.prune_hidden(questionnaire, kept) == kept
    assert runtime.prune_hidden(questionnaire, {**kept, "region": "south"}) == {"region": "south"}


# --- the journey, without JavaScript --------------------------------------------------------------


def _radios(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="(?:radio|checkbox)" value="([^"]+)"', html) or re.findall(
        rf'type="(?:radio|checkbox)"[^>]*name="{name}"[^>]*value="([^"]+)"', html
    )


def test_the_journey_offers_the_filtered_list_refuses_others_and_keeps_change_links_working(
    client, import_survey, invite
):
    survey = import_survey("choice-filter")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    assert journey.start().endswith("/page/where")
    assert journey.answer("where", {"region": "north"}).location.endswith("/page/town")
    html = journey.page("town").text
    assert "Leeds" in html and "York" in html and "Bristol" not in html and "Bath" not in html and "Truro" in html
    assert 'value="leeds"' in html and 'value="bath"' not in html
    # a value outside the filter (a hand-made post): refused, the page's other answers kept on the page
    refused = journey.answer("town", {"town": "bath", "visited": ["york", "truro"]})
    assert refused.status_code == 200
    assert error_summary(refused.text) == [("#town", "Select one of the options")]
    assert re.search(r'value="york"\s+checked', refused.text) and re.search(r'value="truro"\s+checked', refused.text)
    hostile = journey.answer("town", {"town": "<script>alert(1)</script>", "visited": "' or 1=1"})
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text
    assert journey.answer("town", {"town": "york", "visited": ["leeds"]}).location.endswith("/page/end")
    assert journey.answer("end", {"comments": ""}).location.endswith("/check")
    check = journey.check().text
    assert "York" in check and "Leeds" in check
    # change the region from check your answers: the town no longer offered is dropped, and asked again
    assert journey.answer("where", {"region": "south"}, change="1").location.endswith("/check")
    check = journey.check().text
    assert "York" not in check
    submitted = journey.submit()
    assert error_summary(submitted.text) == [("#town", "Select an answer for ‘Which town do you live nearest to?’")]
    page = journey.page("town").text
    assert "Bristol" in page and "Leeds" not in page
    assert journey.answer("town", {"town": "bath", "visited": ["bath"]}).status_code == 302
    assert journey.submit().status_code == 200
    # stored by choice code, so results count by code
    rows = db.session.execute(
        select(Choice.value)
        .join(Answer, Answer.choice_id == Choice.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id)
        .order_by(Choice.value)
    ).scalars()
    assert list(rows) == ["bath", "bath", "south"]


def test_a_region_with_no_town_skips_the_question(client, import_survey):
    survey = import_survey("choice-filter")
    journey = Journey(client, f"/p/{survey.public_key}")
    journey.start()
    journey.answer("where", {"region": "east"})
    html = journey.page("town").text
    assert 'name="town"' not in html and "Truro" in html  # only the question with something to offer
    assert journey.answer("town", {"visited": "truro"}).location.endswith("/page/end")


# --- XLSForm ----------------------------------------------------------------------------------------

FORM = workbook(
    [
        ["type", "name", "label", "choice_filter"],
        ["select_one regions", "region", "Region?"],
        ["select_one towns", "town", "Town?", "region=${region} and pop > 3"],
        ["select_multiple towns", "towns", "Towns?", "name != ${town}"],
    ],
    [
        ["list_name", "name", "label", "label::Cymraeg (cy)", "region", "pop"],
        ["regions", "north", "North", "Gogledd"],
        ["regions", "south", "South", "De"],
        ["towns", "leeds", "Leeds", "Leeds", "north", 5],
        ["towns", "bath", "Bath", "Caerfaddon", "south", 2],
    ],
    [["form_title", "form_id"], ["Towns", "towns"]],
)


def test_xlsform_choice_filters_and_choice_columns_come_in_and_go_back_out():
    converted = read_xlsform(FORM, "towns.xlsx")
    questionnaire = load_definition_data(converted.definition)
    town = questionnaire.question("town")
    assert town.choice_filter == "region=${region} and pop > 3"
    assert town.choices[0].extra == (("region", "north"), ("pop", "5"))
    assert _values(runtime.offered_choices(town, {"region": "north"})) == ["leeds"]
    assert _values(runtime.offered_choices(questionnaire.question("towns"), {"town": "leeds"})) == ["bath"]
    assert not [n for n in converted.notices if "choice" in n]
    exported = xlsform_bytes(questionnaire)
    again = load_definition_data(read_xlsform(exported, "export.xlsx").definition)
    assert again.to_dict() == questionnaire.to_dict()
    xform = convert(xlsform=io.BytesIO(exported), file_type=".xlsx", validate=False).xform
    assert "item[region= /data/page_region/region  and pop &gt; 3]" in xform.replace("region =", "region=")
    assert "<region>north</region>" in xform and "<pop>5</pop>" in xform


def test_xlsform_filters_the_engine_cannot_use_are_refused_at_their_row_or_left_out():
    data = workbook(
        [
            ["type", "name", "label", "choice_filter", "appearance"],
            ["begin group", "p", "Page", None, "field-list"],
            ["select_one regions", "region", "Region?"],
            ["select_one towns", "town", "Town?", "region = ${region}"],  # row 4: the same page
            ["end group"],
            ["select_one towns", "other", "Other?", "starts-with(region, 'n')"],  # row 6: a function
        ],
        [
            ["list_name", "name", "label", "region"],
            ["regions", "north", "North"],
            ["towns", "leeds", "Leeds", "north"],
        ],
    )
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, "bad.xlsx")
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("sheet 'survey', row 6, column 'choice_filter': the expression 'starts-with(")
    with pytest.raises(XLSFormError) as caught:  # the function is left out; the same page is a mistake, never skipped
        read_xlsform(data, "bad.xlsx", skip_unsupported=True)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("sheet 'survey', row 4, question 'town': 'choice_filter' refers to question 'region', ")
    assert "which is on the same page" in problem


def test_the_demo_export_opens_in_pyxform_with_its_itemset_filters():
    data = xlsform_bytes(_demo())
    xform = convert(xlsform=io.BytesIO(data), file_type=".xlsx", validate=False).xform
    assert "instance('town')/root/item[region =  /data/where/region ]" in xform


# --- FHIR -----------------------------------------------------------------------------------------


def test_fhir_exports_every_option_validly_and_keeps_the_filter_for_a_round_trip():
    questionnaire = _demo()
    resource = fhir.questionnaire_resource(questionnaire, "http://surveys.test", version=1)
    FhirQuestionnaire.model_validate(resource)
    town = resource["item"][1]["item"][0]
    assert [o["valueCoding"]["code"] for o in town["answerOption"]] == ["leeds", "york", "bristol", "bath", "truro"]
    assert json.loads(town["answerOption"][0]["extension"][0]["valueString"]) == {"region": "north"}
    assert {"url": "http://surveys.test/fhir/StructureDefinition/surveyapp-choice-filter"} | {
        "valueString": "region = ${region}"
    } in town["extension"]
    back = load_definition_data(definition_from_questionnaire(json.loads(json.dumps(resource))))
    assert back.to_dict() == questionnaire.to_dict()


# --- the editor -------------------------------------------------------------------------------------


def test_choice_lines_show_and_keep_the_columns():
    choices = [{"value": "leeds", "label": "Leeds", "region": "north", "pop": "5"}, {"value": "a", "label": "A | b"}]
    text = editing.choice_lines(choices)
    assert text == "leeds = Leeds | region: north | pop: 5\na = A | b"
    assert editing.parse_choice_lines(text) == choices
    assert editing.parse_choice_lines("Bath | region: south") == [{"value": "bath", "label": "Bath", "region": "south"}]


def test_the_editor_keeps_columns_sets_a_filter_checked_as_typed_and_publishes(app, import_survey):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    import_survey("choice-filter", status="draft")
    base = "/admin/surveys/choice-filter-demo/editor"
    page = client.get(f"{base}/questions/town")
    assert page.status_code == 200 and "Offer only the answers where" in page.text and "region: north" in page.text
    # the question's own answers, edited: the columns typed on each line are kept
    client.post(f"{base}/questions/town/choice-list", data={"action": "own"})
    edited = client.post(
        f"{base}/questions/town",
        data={
            "label": "Which town?",
            "required": "y",
            "choices": "leeds = Leeds | region: north\nyork = York City | region: north\nbath = Bath | region: south",
            "choice_filter": "region = ${region}",
            "confirm_codes": "y",
        },
    )
    assert edited.status_code == 302, edited.text
    checked = client.get(f"{base}/check", query_string={"question": "town", "key": "choice_filter", "expression": "x"})
    assert "'choice_filter' uses 'x', which is not a column" in checked.json["problems"][0]
    later = client.get(
        f"{base}/check", query_string={"question": "town", "key": "choice_filter", "expression": "region = ${visited}"}
    )
    assert "which is on the same page" in later.json["problems"][0]
    # a shared list's page edits its columns too
    client.post(
        f"{base}/choice-lists/towns",
        data={"choices": "leeds = Leeds | region: north\nbristol = Bristol | region: south\ntruro = Truro"},
    )
    db.session.expire_all()
    draft = db.session.scalar(select(Survey).where(Survey.slug == "choice-filter-demo")).draft_definition
    town = draft["pages"][1]["questions"][0]
    assert town["choices"][1] == {"value": "york", "label": "York City", "region": "north"}
    assert town["choice_filter"] == "region = ${region}"
    assert draft["choice_lists"]["towns"][2] == {"value": "truro", "label": "Truro"}
    assert load_definition_text(editing.definition_yaml(draft)).question("town").choices[2].extra == (
        ("region", "south"),
    )
    assert client.post(f"{base}/publish").status_code == 302
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "choice-filter-demo"))
    stored = survey.current_version.definition
    assert stored["pages"][1]["questions"][1]["choices"][0] == {"value": "leeds", "label": "Leeds", "region": "north"}
    again = drafts.draft_of(survey)  # the next draft: the shared list comes back with its columns
    assert again["choice_lists"]["towns"][0] == {"value": "leeds", "label": "Leeds", "region": "north"}
    assert again["pages"][1]["questions"][1]["choices"] == "towns"
    assert choice_lists.resolved(again, again["pages"][1]["questions"][1])[1]["region"] == "south"


def test_the_editors_preview_offers_the_filtered_list(app, import_survey):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    import_survey("choice-filter", status="draft")
    base = "/admin/surveys/choice-filter-demo/editor/preview"
    town = client.post(f"{base}/where", data={"_shown": "region", "region": "south", "_preview": "{}"})
    assert 'value="bristol"' in town.text and 'value="bath"' in town.text and 'value="leeds"' not in town.text
    carry = re.search(r'name="_preview" value="([^"]+)"', town.text).group(1).replace("&#34;", '"')
    refused = client.post(f"{base}/town", data={"_shown": ["town", "visited"], "town": "leeds", "_preview": carry})
    assert refused.status_code == 400 and "Select one of the options" in refused.text

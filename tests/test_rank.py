"""The rank question: one select per position (no JavaScript needed), each option once, stored one row per
option with its position, the mean position of each option computed in SQL, exports, XLSForm and FHIR."""

from __future__ import annotations

import csv
import io
import json

import pytest
from dashboard_data import respond
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from journey_helpers import Journey, error_summary
from test_dashboard_views import sign_in
from xlsform_helpers import workbook

from surveyapp.analysis import figures, queries
from surveyapp.analysis.disclosure import Disclosure
from surveyapp.extensions import db
from surveyapp.questionnaires import expressions, fhir, runtime
from surveyapp.questionnaires.fhir_import import definition_from_questionnaire
from surveyapp.questionnaires.loader import load_definition_data, load_definition_text
from surveyapp.questionnaires.xlsform import read_xlsform
from surveyapp.services import fhir as fhir_service

YAML = """
slug: priorities
title: Priorities
settings: {disclosure_threshold: 0, disclosure_rounding: 1}
pages:
  - name: main
    title: What matters most
    questions:
      - name: order
        type: rank
        label: Put these in order of importance
        required: true
        choices:
          - {value: waiting, label: Shorter waiting times}
          - {value: parking, label: Easier parking}
          - {value: staff, label: More staff}
  - name: more
    title: Waiting
    relevant: selected(${order}, 'waiting') and count-selected(${order}) = 3
    questions:
      - {name: why, type: short_text, label: Why}
"""


def test_each_position_is_a_select_of_every_option_and_errors_name_the_problem(client, import_survey, invite):
    survey = import_survey("priorities", text=YAML)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    html = journey.page("main").get_data(as_text=True)
    assert [f'<label class="govuk-label" for="order-{n}">Choice {n}</label>' in html for n in (1, 2, 3)] == [True] * 3
    assert html.count('<option value="staff">More staff</option>') == 3
    assert 'aria-describedby="order-hint"' in html

    cases = [
        ({}, "Put the options in order for ‘Put these in order of importance’"),
        (
            {"order-1": "staff", "order-2": "staff", "order-3": "waiting"},
            "Choose each option once: More staff is chosen more than once",
        ),
        ({"order-1": "staff", "order-2": "", "order-3": "waiting"}, "Choose an option for every position, from 1 to 3"),
        ({"order-1": "staff", "order-2": "nope", "order-3": "waiting"}, "Select only from the options shown"),
    ]
    for form, message in cases:
        bad = journey.answer("main", form).get_data(as_text=True)
        assert error_summary(bad) == [("#order-1", message)]
    assert '<option value="waiting" selected>' in bad  # shown back as chosen

    good = journey.answer("main", {"order-1": "waiting", "order-2": "staff", "order-3": "parking"})
    assert good.status_code == 302 and good.location.endswith("/page/more")
    journey.answer("more", {"why": "Long waits"})
    check = journey.check().get_data(as_text=True)
    assert "1. Shorter waiting times, 2. More staff, 3. Easier parking" in check
    again = journey.page("main").get_data(as_text=True)
    assert 'id="order-2" name="order-2">' in again
    second = again.split('id="order-2"')[1].split("</select>")[0]
    assert '<option value="staff" selected>' in second  # the stored order, not the options' order


def test_the_answer_keeps_its_order_in_storage_and_expressions():
    questionnaire = load_definition_text(YAML)
    question = questionnaire.question("order")
    rows = runtime.answer_rows("rank", ["staff", "waiting", "parking"])
    assert [(r["choice"], r["value_number"]) for r in rows] == [("staff", 1.0), ("waiting", 2.0), ("parking", 3.0)]
    from surveyapp.questionnaires.types import StoredValue

    stored = [StoredValue(r["choice"], r["value_text"], r["value_number"], None) for r in reversed(rows)]
    assert runtime.stored_answer(question, stored) == ["staff", "waiting", "parking"]
    assert expressions.to_string(["staff", "waiting", "parking"]) == "staff waiting parking"


@pytest.fixture
def ranked(import_survey):
    survey = import_survey("priorities", text=YAML)
    for order in (
        ["waiting", "staff", "parking"],
        ["waiting", "parking", "staff"],
        ["staff", "waiting", "parking"],
        ["waiting", "staff", "parking"],
    ):
        respond(survey, {"order": order})
    db.session.commit()
    return survey


def test_results_give_the_mean_position_of_each_option_computed_in_sql(ranked, app):
    means = queries.rank_means(db.session, ranked.id)
    assert means == {"order": {"waiting": (1.25, 4), "staff": (2.0, 4), "parking": (2.75, 4)}}
    _, _, results = figures.question_results(db.session, ranked, Disclosure(enabled=False))
    [order] = [r for r in results if r.name == "order"]
    assert order.kind == "rank" and order.answered == 4
    assert [(r["label"], r["mean"], r["count"]) for r in order.rows] == [
        ("Shorter waiting times", 1.25, 4),
        ("Easier parking", 2.75, 4),
        ("More staff", 2.0, 4),
    ]
    assert order.as_json()["options"][0] == {
        "value": "waiting",
        "label": "Shorter waiting times",
        "mean": 1.25,
        "count": 4,
    }
    shown = figures.question_results(db.session, ranked, Disclosure.for_survey(ranked))[2]
    assert [r["mean"] for r in next(r for r in shown if r.name == "order").rows] == [1.25, 2.75, 2.0]


def test_the_results_page_and_the_exports(client, ranked):
    sign_in(client, "analyst")
    page = client.get("/dashboards/priorities/results").get_data(as_text=True)
    assert "Mean position (1 = first)" in page and "1.25" in page
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboards/priorities/export/responses.csv").get_data(as_text=True)))
    )
    header = rows[0]
    assert {"order.waiting", "order.parking", "order.staff"} <= set(header)
    assert [row[header.index("order.staff")] for row in rows[1:]] == ["2", "3", "1", "2"]
    codebook = client.get("/dashboards/priorities/export/codebook.csv").get_data(as_text=True)
    assert "order.staff" in codebook


def test_xlsform_rank_in_and_out():
    data = workbook(
        [["type", "name", "label"], ["rank colours", "order", "Order them"]],
        [["list_name", "name", "label"], ["colours", "red", "Red"], ["colours", "blue", "Blue"]],
    )
    definition = read_xlsform(data, "rank.xlsx").definition
    [question] = definition["pages"][0]["questions"]
    assert question["type"] == "rank" and [c["value"] for c in question["choices"]] == ["red", "blue"]
    load_definition_data(definition)


def test_fhir_a_rank_is_a_repeating_choice_whose_answers_are_in_order(ranked):
    questionnaire = load_definition_text(YAML)
    resource = fhir.questionnaire_resource(questionnaire, "http://surveys.test", version=1)
    FhirQuestionnaire.model_validate(resource)
    item = resource["item"][0]["item"][0]
    assert item["type"] == "choice" and item["repeats"] is True
    assert definition_from_questionnaire(json.loads(json.dumps(resource)))["pages"][0]["questions"][0]["type"] == "rank"
    bundle = fhir_service.responses_bundle(db.session, ranked)
    first = bundle["entry"][0]["resource"]["item"][0]["item"][0]["answer"]
    assert [a["valueCoding"]["code"] for a in first] == ["waiting", "staff", "parking"]


def test_the_publication_summary_gives_each_options_mean_position(client, ranked):
    sign_in(client, "analyst")
    rows = list(csv.reader(io.StringIO(client.get("/dashboards/priorities/export/summary.csv").get_data(as_text=True))))
    header = rows[0]
    ranked_rows = [r for r in rows if r[header.index("statistic")] == "mean position"]
    assert [(r[header.index("choice_value")], r[header.index("value")]) for r in ranked_rows] == [
        ("waiting", "1.25"),
        ("parking", "2.75"),
        ("staff", "2.0"),
    ]

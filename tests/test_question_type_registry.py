"""A question type declared in the tests only ('percent') goes all the way through the product.

Nothing outside this file, its one template macro (tests/question_types/percent.html) and the
engine's registry knows about it: it is imported, rendered with its own macro, validated,
stored, shown on "check your answers", read by the live conditions, charted on the results
page and in the JSON API, and exported to CSV and the codebook. If any module still spelled
types out, one of these steps would fail.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from journey_helpers import Journey, error_summary
from sqlalchemy import select
from test_dashboard_views import sign_in

from surveyapp.extensions import db
from surveyapp.models import Answer, Question
from surveyapp.questionnaires import types
from surveyapp.questionnaires.loader import DefinitionError, load_definition_text

HERE = Path(__file__).parent


def _parse_percent(question, raw: str):
    text = raw.strip().removesuffix("%").strip()
    if not text:
        return None
    if not types.INTEGER_RE.match(text) or len(text) > 4:
        raise types.Invalid(f"Enter {types.quoted(question)} as a whole number of percent, like 45")
    return int(text)


def _check_percent(question, value: int) -> None:
    if not question.min <= value <= question.max:
        raise types.Invalid(f"Enter a percentage from {question.min} to {question.max}")


PERCENT = types.QuestionType(
    "percent",
    storage=types.STORE_INTEGER,
    macro="percent",
    template="percent.html",
    value_kind="integer",
    results=types.RESULTS_NUMBER,
    export=types.EXPORT_NUMBER,
    parse=_parse_percent,
    check=_check_percent,
    format=lambda question, value: f"{value}%",
    required_message="Enter a percentage for {label}",
    bounds=types.BOUNDS_INTEGER,
    defaults={"min": 0, "max": 100},
)

DEFINITION = """
slug: shares
title: Shares of time
settings:
  disclosure_threshold: 0
  disclosure_rounding: 1
pages:
  - name: time
    title: Your time
    questions:
      - name: share
        type: percent
        label: What share of your week is spent on paperwork?
        required: true
      - name: why
        type: short_text
        label: Why so much?
        relevant: ${share} > 50
"""


@pytest.fixture
def percent_type(app):
    types.register(PERCENT)
    app.jinja_loader = ChoiceLoader([FileSystemLoader(HERE / "question_types"), app.jinja_loader])
    yield PERCENT
    types.unregister("percent")


def test_an_undeclared_type_is_refused_at_import():
    with pytest.raises(DefinitionError) as refused:
        load_definition_text(DEFINITION)
    assert "unknown type 'percent'" in str(refused.value)


def test_the_loader_takes_the_declared_type_with_its_keys_and_defaults(percent_type):
    questionnaire = load_definition_text(DEFINITION)
    share = questionnaire.question("share")
    assert (share.question_type, share.min, share.max) == (PERCENT, 0, 100)
    bad = DEFINITION.replace("required: true", "required: true\n        min: 90\n        max: 10\n        choices: []")
    problems = [str(p) for p in pytest.raises(DefinitionError, load_definition_text, bad).value.problems]
    assert any("'min' (90) is greater than 'max' (10)" in p for p in problems)
    assert any("'choices' does not apply to percent questions" in p for p in problems)


def _answer_share(client, survey, invite, value: str):
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    return journey, journey.answer("time", {"share": value})


def test_a_type_declared_in_the_tests_is_rendered_validated_stored_charted_and_exported(
    client, import_survey, invite, percent_type
):
    survey = import_survey("shares", text=DEFINITION)

    # Rendered with its own macro, and described to the live conditions by its declaration.
    journey, response = _answer_share(client, survey, invite, "")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="govuk-input govuk-input--width-3 app-percent' in html
    assert re.search(r'data-question="share" data-type="percent"\s+data-value-kind="integer"', html)
    assert error_summary(html) == [
        ("#share", "Enter a percentage for ‘What share of your week is spent on paperwork?’")
    ]

    # Validated by its own parse and check.
    for wrong, message in (("lots", "as a whole number of percent"), ("150", "Enter a percentage from 0 to 100")):
        html = journey.answer("time", {"share": wrong}).get_data(as_text=True)
        assert message in error_summary(html)[0][1]

    # Stored in its declared column; the condition on it is evaluated with its typed value.
    response = journey.answer("time", {"share": "80%"})
    assert response.status_code == 200  # "why" is revealed on the same page first
    assert "Why so much?" in response.get_data(as_text=True)
    assert journey.answer("time", {"share": "80%", "why": "Forms"}).status_code == 302
    stored = db.session.execute(
        select(Answer.value_number, Answer.value_text).join(Question).where(Question.name == "share")
    ).all()
    assert stored == [(80.0, "80")]

    # Formatted by its declaration on "check your answers", then submitted.
    check = journey.check().get_data(as_text=True)
    assert "80%" in check
    assert "Your answers have been sent" in journey.submit().get_data(as_text=True)

    for value in ("45", "45%"):
        other, response = _answer_share(client, survey, invite, value)
        assert response.status_code == 302
        assert "Your answers have been sent" in other.submit().get_data(as_text=True)

    # Charted: a histogram on the results page, and summary statistics in the JSON API.
    sign_in(client, "analyst")
    page = client.get(f"/dashboards/{survey.slug}/results").get_data(as_text=True)
    figures = dict(
        re.findall(
            r'<script type="application/json" class="app-figure" data-target="chart-([^"]+)">(.*?)</script>', page, re.S
        )
    )
    assert "share" in figures
    histogram = json.loads(figures["share"])["data"][0]
    assert histogram["type"] == "bar" and sum(histogram["y"]) == 3
    api = client.get(f"/api/surveys/{survey.slug}/results").get_json()
    share = next(q for q in api["questions"] if q["name"] == "share")
    assert share["type"] == "percent"
    assert share["summary"]["n"] == 3 and share["summary"]["median"] == 45
    assert sum(bar["count"] for bar in share["histogram"]) == 3

    # Exported: one number column in the CSV, and the type in the codebook.
    export = client.get(f"/dashboards/{survey.slug}/export/responses.csv")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert sorted(row["share"] for row in rows) == ["45", "45", "80"]
    codebook = client.get(f"/dashboards/{survey.slug}/export/codebook.csv").get_data(as_text=True)
    assert ["share", "share", "1", "percent"] == next(csv.reader(io.StringIO(codebook.splitlines()[1])))[:4]

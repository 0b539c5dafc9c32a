"""`default`, `read_only` and the `hidden` type: answers given in advance, pre-filled, shown or kept unseen."""

from __future__ import annotations

import datetime

import pytest
from journey_helpers import Journey, error_summary
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Question
from surveyapp.questionnaires.loader import DefinitionError, load_definition_text

YAML = """
slug: in-advance
title: Answers in advance
pages:
  - name: visit
    title: Your visit
    questions:
      - {name: source, type: hidden, label: Where the link was shared, default: leaflet}
      - {name: clinic, type: short_text, label: Clinic, default: Riverside, read_only: true, hint: Where you were seen}
      - {name: visits, type: integer, label: "How many visits?", default: 1, min: 0, max: 20, required: true}
      - name: seen_by
        type: multiple_choice
        label: Who did you see?
        default: gp nurse
        choices:
          - {value: gp, label: A GP}
          - {value: nurse, label: A nurse}
          - {value: other, label: Someone else}
      - {name: day, type: date, label: Day of the visit, default: 2026-03-02}
      - {name: at, type: time, label: Time of the visit, default: "09:30"}
      - {name: again, type: yes_no, label: "Would you come again?", relevant: "${source} = 'leaflet'"}
"""


def stored(name: str) -> list[str]:
    return db.session.scalars(
        select(Answer.value_text).join(Question, Answer.question_id == Question.id).where(Question.name == name)
    ).all()


def test_defaults_fill_the_page_read_only_shows_its_answer_and_hidden_is_not_shown(client, import_survey, invite):
    survey = import_survey("in-advance", text=YAML)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    html = journey.page("visit").get_data(as_text=True)
    assert 'name="source"' not in html and "Where the link was shared" not in html  # hidden: not shown
    assert '"source": "leaflet"' in html  # for the browser's live conditions (not a secret: a default)
    assert '<input type="hidden" name="_shown" value="source">' in html
    assert 'name="clinic"' not in html and "Riverside" in html and "Where you were seen" in html  # read-only text
    assert 'name="visits" type="text" value="1"' in html or 'value="1"' in html
    assert 'value="gp" checked' in html and 'value="nurse" checked' in html and 'value="other" checked' not in html
    assert 'name="day-year" type="text" value="2026"' in html or 'value="2026"' in html
    assert 'value="09:30"' in html
    assert 'data-question="again"' in html  # the hidden answer makes the condition hold

    # a read-only answer cannot be changed by posting another value; a hidden one neither
    response = journey.answer(
        "visit", {"clinic": "Elsewhere", "source": "forged", "visits": "2", "seen_by": ["gp"], "again": "yes"}
    )
    assert response.status_code == 302 and response.location.endswith("/check")
    assert stored("clinic") == ["Riverside"] and stored("source") == ["leaflet"] and stored("visits") == ["2"]
    assert stored("day") == []  # a default that was emptied is not an answer (dates post as three fields)

    check = journey.check().get_data(as_text=True)
    assert "Riverside" in check and "Clinic" in check
    assert "leaflet" not in check and "Where the link was shared" not in check
    again = journey.page("visit").get_data(as_text=True)
    assert 'value="2"' in again and 'value="nurse" checked' not in again  # the answers now, not the defaults


def test_a_required_question_with_a_default_can_still_be_emptied_and_is_then_required(client, import_survey, invite):
    survey = import_survey("in-advance", text=YAML)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    bad = journey.answer("visit", {"visits": ""}).get_data(as_text=True)
    assert error_summary(bad) == [("#visits", "Enter a number for ‘How many visits?’")]
    assert "Riverside" in bad


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("default: 1,", "default: 21,"), "'default' (21) is not an answer this integer question accepts"),
        (("default: gp nurse", "default: gp dentist"), "Select only from the options shown"),
        (("default: 2026-03-02", "default: 2026-02-30"), "'default' (2026-02-30) is not an answer this date"),
        (('default: "09:30"', 'default: "9h30"'), "Enter a time, like 14:30"),
        (("read_only: true,", "read_only: true, required: true,"), "a read-only question cannot be required"),
        (("default: leaflet}", "default: leaflet, hint: no}"), "'hint' does not apply to hidden questions"),
    ],
)
def test_wrong_defaults_are_refused_at_their_line(change, message):
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(YAML.replace(*change))
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_a_page_of_hidden_questions_only_is_refused():
    text = YAML.replace(
        "  - name: visit\n",
        "  - name: first\n    title: First\n    questions:\n"
        "      - {name: campaign, type: hidden, label: Campaign, default: spring}\n  - name: visit\n",
    )
    with pytest.raises(DefinitionError, match="every question on the page is hidden"):
        load_definition_text(text)


def test_defaults_are_typed_and_kept_as_text_in_the_definition():
    questionnaire = load_definition_text(YAML)
    assert questionnaire.question("visits").default_value == 1
    assert questionnaire.question("seen_by").default_value == ["gp", "nurse"]
    assert questionnaire.question("day").default_value == datetime.date(2026, 3, 2)
    assert questionnaire.question("at").default_value == datetime.time(9, 30)
    data = questionnaire.to_dict()
    clinic = data["pages"][0]["questions"][1]
    assert clinic["read_only"] is True and clinic["default"] == "Riverside"
    assert data["pages"][0]["questions"][2]["default"] == "1"
    assert load_definition_text(__import__("json").dumps(data)).to_dict() == data

"""Every question type through the web: required messages, invalid input, typed storage."""

from datetime import date

import pytest
from journey_helpers import Journey, error_summary
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Answer, Choice, Question

# (test questionnaire, invalid form -> expected (field id, message)s, valid form -> {question: stored value})
CASES = {
    "single_choice": (
        {},
        [("#colour", "Select an answer for ‘What is your favourite colour?’"), ("#size", "Select a size")],
        {"colour": "green", "size": "2"},
        {"colour": ("choice", "green"), "size": ("choice", "2")},
    ),
    "multiple_choice": (
        {"fruit": ["apple", "pear", "plum"]},
        [("#fruit", None)],  # the constraint count-selected(.) <= 2 with its message
        {"fruit": ["plum", "apple"]},
        {"fruit": ("choices", ["apple", "plum"])},
    ),
    "likert": (
        {"agree": "sort-of"},
        [("#agree", "Select one of the options")],
        {"agree": "strongly_agree"},
        {"agree": ("choice", "strongly_agree")},
    ),
    "rating": (
        {"score": "11"},
        [("#score", "Select a number from 0 to 10")],
        {"score": "7", "stars": "5"},
        {"score": ("number", 7), "stars": ("number", 5)},
    ),
    "short_text": (
        {},
        [("#full_name", "Enter an answer for ‘What is your name?’")],
        {"full_name": "  Dr Ada Example  "},
        {"full_name": ("text", "Dr Ada Example")},
    ),
    "long_text": (
        {"story": "   "},
        [("#story", None)],
        {"story": "Line one\r\nLine two <b>bold</b>"},
        {"story": ("text", "Line one\nLine two <b>bold</b>")},
    ),
    "integer": (
        {"patients": "twelve"},
        [("#patients", "Enter a whole number, like 12")],
        {"patients": "12", "floor": "-2"},
        {"patients": ("number", 12), "floor": ("number", -2)},
    ),
    "decimal": (
        {"weight": "0.4"},
        [("#weight", "Enter a number between 0.5 and 300.25")],
        {"weight": "72.5"},
        {"weight": ("number", 72.5)},
    ),
    "date": (
        {"visit-day": "31", "visit-month": "2", "visit-year": "2024"},
        [("#visit-day", "Date must be a real date")],
        {"visit-day": "5", "visit-month": "10", "visit-year": "2021"},
        {"visit": ("date", date(2021, 10, 5))},
    ),
    "time": (
        {"arrived": "25:00", "seen": "half past"},
        [("#arrived", "Enter a real time, like 14:30"), ("#seen", "Enter a time, like 14:30")],
        {"arrived": "9.05", "seen": "2:30pm"},
        {"arrived": ("text", "09:05"), "seen": ("text", "14:30")},
    ),
    "datetime": (
        {"appointment-day": "27", "appointment-month": "3", "appointment-year": "2024", "callback-time": "10:00"},
        [
            ("#appointment-day", "Date and time must include a time"),
            ("#callback-day", "Date and time must include a date"),
        ],
        {"appointment-day": "27", "appointment-month": "3", "appointment-year": "2024", "appointment-time": "14:30"},
        {"appointment": ("datetime", ("2024-03-27T14:30", date(2024, 3, 27)))},
    ),
    "rank": (
        {"priorities-1": "staff", "priorities-2": "staff", "priorities-3": "waiting"},
        [("#priorities-1", "Choose each option once: More staff is chosen more than once")],
        {"priorities-1": "staff", "priorities-2": "waiting", "priorities-3": "parking"},
        {"priorities": ("rank", [("staff", 1.0), ("waiting", 2.0), ("parking", 3.0)])},
    ),
    "yes_no": (
        {},
        [("#smoker", None)],
        {"smoker": "no"},
        {"smoker": ("choice", "no")},
    ),
}


def stored(question_name: str):
    rows = db.session.execute(
        select(Choice.value, Answer.value_text, Answer.value_number, Answer.value_date)
        .join(Question, Answer.question_id == Question.id)
        .outerjoin(Choice, Answer.choice_id == Choice.id)
        .where(Question.name == question_name)
        .order_by(Choice.position)
    ).all()
    return rows


@pytest.mark.parametrize("name", sorted(CASES))
def test_question_type_validates_and_stores_typed_rows(name, client, import_survey, invite):
    invalid, expected_errors, valid, expected_values = CASES[name]
    survey = import_survey(name)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()

    page = survey.current_version.definition["pages"][0]["name"]
    bad = journey.answer(page, invalid)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "<title>Error: " in html
    summary = error_summary(html)
    assert [href for href, _ in summary] == [href for href, _ in expected_errors]
    for (_, text), (_, expected) in zip(summary, expected_errors):
        assert text if expected is None else text == expected
    assert stored(next(iter(expected_values))) == []  # nothing saved from an invalid page

    good = journey.answer(page, valid)
    assert good.status_code == 302 and good.location.endswith("/check")
    for question, (kind, value) in expected_values.items():
        rows = stored(question)
        if kind == "choice":
            assert [r[0] for r in rows] == [value]
        elif kind == "choices":
            assert [r[0] for r in rows] == value  # one row per ticked option
        elif kind == "number":
            assert [r[2] for r in rows] == [value]
        elif kind == "date":
            assert [r[3] for r in rows] == [value]
        elif kind == "rank":
            assert sorted((r[0], r[2]) for r in rows) == sorted(value)
        elif kind == "datetime":
            assert [(r[1], r[3]) for r in rows] == [value]
        else:
            assert [r[1] for r in rows] == [value]


def test_invalid_answer_is_shown_back_as_typed(client, import_survey, invite):
    survey = import_survey("integer")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    html = journey.answer("main", {"patients": "twelve"}).get_data(as_text=True)
    assert 'value="twelve"' in html
    assert 'aria-describedby="patients-error"' in html  # the error is linked to its field


def test_note_only_page_needs_no_answer(client, import_survey, invite):
    survey = import_survey("note")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    response = journey.answer("intro", {})
    assert response.status_code == 302 and response.location.endswith("/page/main")

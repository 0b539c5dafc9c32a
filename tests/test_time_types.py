"""The time and datetime question types: reading what people type, expressions, the journey with its
check-your-answers page (no JavaScript needed), results counted in SQL and the exports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from dashboard_data import respond
from journey_helpers import Journey, error_summary
from openpyxl import load_workbook
from test_dashboard_views import sign_in

from surveyapp.analysis import figures
from surveyapp.analysis.disclosure import Disclosure
from surveyapp.extensions import db
from surveyapp.questionnaires import expressions, types
from surveyapp.questionnaires.loader import load_definition_text

T = datetime.time
DT = datetime.datetime


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", T(14, 30)),
        (" 9:05 ", T(9, 5)),
        ("09.05", T(9, 5)),
        ("2:30pm", T(14, 30)),
        ("2pm", T(14, 0)),
        ("12am", T(0, 0)),
        ("12:15 PM", T(12, 15)),
        ("00:00", T(0, 0)),
        ("23:59", T(23, 59)),
        ("", None),
    ],
)
def test_a_time_is_read_as_people_type_it(typed, expected):
    assert types.parse_time_text(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("half past two", "Enter a time, like 14:30"),
        ("14", "Enter a time, like 14:30"),
        ("14:3", "Enter a time, like 14:30"),
        ("14:30:00", "Enter a time, like 14:30"),
        ("1430", "Enter a time, like 14:30"),
        ("24:00", "Enter a real time, like 14:30"),
        ("12:60", "Enter a real time, like 14:30"),
        ("13pm", "Enter a real time, like 14:30"),
        ("0am", "Enter a real time, like 14:30"),
        ("<script>", "Enter a time, like 14:30"),
        ("9" * 5000, "Enter a time, like 14:30"),
    ],
)
def test_a_time_that_is_not_one_says_how_to_write_it(typed, message):
    with pytest.raises(types.Invalid) as caught:
        types.parse_time_text(typed)
    assert caught.value.args[0] == message


@pytest.mark.parametrize(
    ("expression", "current", "answers", "expected"),
    [
        (". >= '08:00'", T(8, 0), {}, True),
        (". >= '08:00'", T(7, 59), {}, False),
        (". >= ${arrived}", T(9, 0), {"arrived": T(8, 30)}, True),
        (". >= ${arrived}", T(9, 0), {"arrived": None}, False),  # nothing to compare with
        (". = '14:30'", T(14, 30), {}, True),
        (". != '14:30'", T(14, 31), {}, True),
        (". < 'noon'", T(11, 0), {}, False),  # not a time: every order comparison is false
        ("string-length(.)", T(14, 30), {}, 5),
        (". > '2024-03-27T09:00'", DT(2024, 3, 27, 9, 1), {}, True),
        (". > '2024-03-27T09:00'", DT(2024, 3, 27, 9, 0), {}, False),
        (". = '2024-03-27'", DT(2024, 3, 27, 23, 59), {}, True),  # by its day
        (". > date('2024-03-27')", DT(2024, 3, 27, 23, 59), {}, False),
        (". > ${last}", DT(2024, 3, 28, 0, 1), {"last": datetime.date(2024, 3, 27)}, True),
        (". > ${booked}", DT(2024, 3, 27, 9, 0), {"booked": DT(2024, 3, 27, 8, 0)}, True),
        ("int(number(.))", DT(1970, 1, 2, 12, 0), {}, 1),  # the days of its day since 1970
    ],
)
def test_times_and_dates_with_times_in_expressions(expression, current, answers, expected):
    assert expressions.evaluate(expression, answers, current=current) == expected


def test_as_text_a_time_and_a_date_and_time_are_what_was_entered():
    assert expressions.to_string(T(7, 5)) == "07:05"
    assert expressions.to_string(DT(2026, 3, 27, 14, 30)) == "2026-03-27T14:30"


YAML = """
slug: clinic-times
title: Clinic times
settings: {disclosure_threshold: 0, disclosure_rounding: 1}
pages:
  - name: visit
    title: Your visit
    questions:
      - name: arrived
        type: time
        label: What time did you arrive?
        required: true
      - name: seen
        type: time
        label: What time were you seen?
        constraint: . >= ${arrived}
        constraint_message: The time you were seen must be the same as or after the time you arrived
      - name: next_visit
        type: datetime
        label: When is your next appointment?
        constraint: . > '2026-01-01T00:00'
        constraint_message: The appointment must be after 1 January 2026
  - name: later
    title: Early arrivals
    relevant: ${arrived} < '09:00'
    questions:
      - name: why_early
        type: short_text
        label: Why did you arrive early?
"""


def test_the_journey_without_javascript_errors_check_your_answers_and_conditions(client, import_survey, invite):
    survey = import_survey("clinic-times", text=YAML)
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    page = journey.page("visit").get_data(as_text=True)
    assert 'id="arrived-hint"' in page and "For example, 14:30. Use the 24-hour clock." in page
    assert 'name="next_visit-day"' in page and 'name="next_visit-time"' in page
    assert '<label class="govuk-label" for="next_visit-time">Time</label>' in page
    assert 'role="group" aria-describedby="next_visit-hint"' in page

    bad = journey.answer(
        "visit",
        {
            "arrived": "",
            "seen": "",
            "next_visit-day": "31",
            "next_visit-month": "12",
            "next_visit-year": "2025",
            "next_visit-time": "23:59",
        },
    ).get_data(as_text=True)
    assert error_summary(bad) == [
        ("#arrived", "Enter a time for ‘What time did you arrive?’"),
        ("#next_visit-day", "The appointment must be after 1 January 2026"),
    ]
    assert 'value="23:59"' in bad and 'value="31"' in bad  # shown back as typed
    assert 'aria-describedby="next_visit-hint next_visit-error"' in bad

    bad = journey.answer("visit", {"arrived": "9:30", "seen": "9.00"}).get_data(as_text=True)
    assert 'value="9.00"' in bad
    assert error_summary(bad) == [("#seen", "The time you were seen must be the same as or after the time you arrived")]

    good = journey.answer(
        "visit",
        {
            "arrived": "8:45am",
            "seen": "9:10",
            "next_visit-day": "2",
            "next_visit-month": "3",
            "next_visit-year": "2026",
            "next_visit-time": "2:15pm",
        },
    )
    assert good.status_code == 302 and good.location.endswith("/page/later")  # 08:45 < 09:00
    journey.answer("later", {"why_early": "The bus"})
    check = journey.check().get_data(as_text=True)
    assert "08:45" in check and "09:10" in check and "2 March 2026 at 14:15" in check

    again = journey.page("visit").get_data(as_text=True)
    assert 'value="08:45"' in again and 'value="14:15"' in again and 'value="2026"' in again
    assert journey.submit().status_code == 200


@pytest.fixture
def answered(import_survey):
    survey = import_survey("clinic-times", text=YAML)
    for arrived, next_visit in (
        (T(8, 45), DT(2026, 3, 2, 14, 15)),
        (T(10, 0), DT(2026, 3, 2, 9, 0)),
        (T(10, 0), DT(2026, 3, 9, 16, 30)),
    ):
        respond(survey, {"arrived": arrived, "seen": T(11, 5), "next_visit": next_visit})
    db.session.commit()
    return survey


def test_results_count_dates_by_day_and_times_per_hour_in_sql(answered):
    _, respondents, results = figures.question_results(db.session, answered, Disclosure(enabled=False))
    by_name = {r.name: r for r in results}
    assert respondents == 3
    next_visit = by_name["next_visit"]
    assert next_visit.kind == "date" and next_visit.answered == 3
    assert {b["start"]: b["count"] for b in next_visit.bins if b["count"]} == {"2026-03-02": 2, "2026-03-09": 1}
    arrived = by_name["arrived"]  # 08:45, 10:00, 10:00: counted per hour, from the first hour given to the last
    assert arrived.kind == "choice" and arrived.answered == 3
    assert [(r["value"], r["label"], r["count"]) for r in arrived.rows] == [
        ("08", "08:00 to 08:59", 1),
        ("09", "09:00 to 09:59", 0),
        ("10", "10:00 to 10:59", 2),
    ]
    assert [(r["value"], r["count"], r["percent"]) for r in by_name["seen"].rows] == [("11", 3, 100.0)]


@pytest.mark.parametrize("strategy", ["tallies", "direct", "subtract"])
def test_times_per_hour_are_the_same_from_the_tallies_and_from_the_answers(answered, strategy):
    from surveyapp.analysis import queries

    dist = queries.distributions(db.session, answered.id, strategy=strategy)
    assert dist.hours == {"arrived": {8: 1, 10: 2}, "seen": {11: 3}}
    assert dist.answered["arrived"] == 3


def test_times_per_hour_under_disclosure_control_hide_small_hours(answered):
    for minute in range(0, 50, 10):  # five more at 10:xx: 10 has 7, 8 has 1
        respond(answered, {"arrived": T(10, minute), "seen": T(11, 5), "next_visit": DT(2026, 3, 2, 14, 15)})
    db.session.commit()
    _, _, results = figures.question_results(db.session, answered, Disclosure(enabled=True, threshold=5))
    arrived = next(r for r in results if r.name == "arrived")
    counts = {r["value"]: r["count"] for r in arrived.rows}
    assert counts["08"] == "*" and counts["09"] == 0
    assert (counts["10"], arrived.answered) != (7, 8)  # exact figures would give the hidden 1 away


def test_the_results_page_charts_times_per_hour_and_the_api_lists_them(client, answered):
    sign_in(client, "analyst")
    page = client.get("/dashboards/clinic-times/results").get_data(as_text=True)
    assert "08:00 to 08:59" in page and "10:00 to 10:59" in page
    data = client.get("/api/surveys/clinic-times/results").get_json()
    arrived = next(q for q in data["questions"] if q["name"] == "arrived")
    assert arrived["type"] == "time"
    assert [(c["value"], c["count"]) for c in arrived["choices"]] == [("08", 1), ("09", 0), ("10", 2)]


def _migration(name: str):
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_gives_earlier_time_answers_their_minutes_and_moves_their_tallies(answered):
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import select, update

    from surveyapp.analysis import queries, tallies
    from surveyapp.models import Question
    from surveyapp.models.responses import Answer

    time_questions = select(Question.id).where(Question.qtype == "time")
    # as answers given before it were kept: the text only, and tallied so
    db.session.execute(update(Answer).where(Answer.question_id.in_(time_questions)).values(value_number=None))
    tallies.rebuild(db.session)
    assert queries.distributions(db.session, answered.id, strategy="tallies").hours == {}

    migration = _migration("0031_time_answer_minutes")
    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration.upgrade()
    minutes = db.session.scalars(
        select(Answer.value_number).where(Answer.question_id.in_(time_questions)).order_by(Answer.value_number)
    ).all()
    assert minutes == [525.0, 600.0, 600.0, 665.0, 665.0, 665.0]  # 08:45, 10:00 twice, 11:05 three times
    assert tallies.stored(db.session) == tallies.fresh(db.session)
    for strategy in ("tallies", "direct"):
        hours = queries.distributions(db.session, answered.id, strategy=strategy).hours
        assert hours == {"arrived": {8: 1, 10: 2}, "seen": {11: 3}}

    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration.downgrade()
    assert (
        db.session.scalars(select(Answer.value_number).where(Answer.question_id.in_(time_questions))).all()
        == [None] * 6
    )
    assert tallies.stored(db.session) == tallies.fresh(db.session)


def test_exports_give_the_time_and_the_date_and_time_as_written(client, answered):
    sign_in(client, "analyst")
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboards/clinic-times/export/responses.csv").get_data(as_text=True)))
    )
    header, body = rows[0], rows[1:]
    assert [row[header.index("arrived")] for row in body] == ["08:45", "10:00", "10:00"]
    assert [row[header.index("next_visit")] for row in body] == [
        "2026-03-02T14:15",
        "2026-03-02T09:00",
        "2026-03-09T16:30",
    ]
    book = load_workbook(io.BytesIO(client.get("/dashboards/clinic-times/export/responses.xlsx").data))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("next_visit") + 1).value == "2026-03-02T14:15"


def test_the_definition_round_trips_and_takes_no_bounds():
    questionnaire = load_definition_text(YAML)
    assert questionnaire.question("arrived").type == "time"
    from surveyapp.questionnaires.loader import DefinitionError

    with pytest.raises(DefinitionError, match="'min' does not apply to time questions"):
        load_definition_text(YAML.replace("        required: true\n", "        min: '08:00'\n", 1))

"""Tests for the page runtime: visibility, parsing posted pages, pruning, formatting."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from surveyapp.questionnaires.definition import Choice, Page, Question
from surveyapp.questionnaires.loader import load_definition_file
from surveyapp.questionnaires.runtime import (
    FieldError,
    PageResult,
    answer_rows,
    as_posted,
    format_answer,
    is_visible,
    parse_page,
    prune_hidden,
    stored_answer,
    visible_pages,
    visible_questions,
)
from surveyapp.questionnaires.types import StoredValue

HERE = Path(__file__).parent / "questionnaires"
TODAY = datetime.date(2026, 3, 15)


def load(name):
    return load_definition_file(HERE / f"{name}.yaml")


class MultiDict:
    """Stands in for werkzeug's MultiDict: only getlist() is used."""

    def __init__(self, pairs):
        self.pairs = pairs

    def getlist(self, name):
        return [v for k, v in self.pairs if k == name]


def post(name, form, answers=None):
    page = load(name).pages[-1]
    return parse_page(page, form, answers or {}, today=TODAY)


def errors(result):
    return [(e.name, e.message, e.field_id) for e in result.errors]


# --- single choice, likert, yes/no ---------------------------------------------------


def test_single_choice_valid_and_invalid():
    result = post("single_choice", {"colour": [" green "], "size": ["2"]})
    assert result.values == {"colour": "green", "size": "2"} and result.errors == []
    result = post("single_choice", {"colour": ["purple"], "size": ["2"]})
    assert errors(result) == [("colour", "Select one of the options", "colour")]
    assert result.values["colour"] is None
    assert result.raw == {"colour": "purple", "size": "2"}


def test_single_choice_required_messages_default_and_custom():
    result = post("single_choice", {})
    assert errors(result) == [
        ("colour", "Select an answer for ‘What is your favourite colour?’", "colour"),
        ("size", "Select a size", "size"),
    ]
    assert result.values == {"colour": None, "size": None}


def test_likert_default_scale_and_custom_choices():
    result = post("likert", {"agree": ["strongly_disagree"], "often": ["never"]})
    assert result.values == {"agree": "strongly_disagree", "often": "never"}
    result = post("likert", {"agree": ["agree"], "often": ["always"]})
    assert errors(result) == [("often", "Select one of the options", "often")]
    assert errors(post("likert", {"often": ["never"]})) == [
        ("agree", "Select an answer for ‘The service was helpful’", "agree")
    ]


def test_yes_no():
    assert post("yes_no", {"smoker": ["no"]}).values == {"smoker": "no", "carer": None}
    assert errors(post("yes_no", {"smoker": ["maybe"]})) == [("smoker", "Select one of the options", "smoker")]
    assert errors(post("yes_no", {"carer": ["yes"]})) == [("smoker", "Select an answer for ‘Do you smoke?’", "smoker")]


def test_consent_question_is_required():
    page = load("consent").pages[0]
    assert errors(parse_page(page, {}, {}, today=TODAY)) == [
        ("agree", "Select an answer for ‘Does the person agree to take part?’", "agree")
    ]
    assert parse_page(page, {"agree": "no"}, {}).values == {"agree": "no"}


# --- multiple choice ---------------------------------------------------------------------


def test_multiple_choice_values_in_choice_order():
    result = post("multiple_choice", MultiDict([("fruit", "plum"), ("fruit", "apple"), ("fruit", "apple")]))
    assert result.values == {"fruit": ["apple", "plum"]} and result.errors == []
    assert result.raw == {"fruit": ["plum", "apple", "apple"]}


def test_multiple_choice_invalid_required_and_constraint():
    assert errors(post("multiple_choice", {"fruit": ["apple", "kiwi"]})) == [
        ("fruit", "Select only from the options shown", "fruit")
    ]
    assert errors(post("multiple_choice", {"fruit": ["", " "]})) == [
        ("fruit", "Select at least one answer for ‘Which fruit do you eat?’", "fruit")
    ]
    assert errors(post("multiple_choice", {"fruit": ["apple", "pear", "plum"]})) == [
        ("fruit", "Select no more than 2 fruits", "fruit")
    ]


# --- rating ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score, stars, expected_errors, values",
    [
        ("0", "5", [], {"score": 0, "stars": 5}),
        ("10", "", [], {"score": 10, "stars": None}),
        ("11", "", [("score", "Select a number from 0 to 10", "score")], None),
        ("-1", "", [("score", "Select a number from 0 to 10", "score")], None),
        ("7.5", "", [("score", "Select a number from 0 to 10", "score")], None),
        ("5", "0", [("stars", "Select a number from 1 to 5", "stars")], None),
        ("", "3", [("score", "Select an answer for ‘How likely are you to recommend us?’", "score")], None),
    ],
)
def test_rating(score, stars, expected_errors, values):
    result = post("rating", {"score": score, "stars": stars})
    assert errors(result) == expected_errors
    if values is not None:
        assert result.values == values


# --- text -----------------------------------------------------------------------------------


def test_short_text_valid():
    result = post("short_text", {"full_name": "  Sam Smith ", "postcode": "AB1 2CD", "code": "B1234"})
    assert result.errors == []
    assert result.values == {"full_name": "Sam Smith", "postcode": "AB1 2CD", "code": "B1234"}
    assert result.raw["full_name"] == "  Sam Smith "


@pytest.mark.parametrize(
    "form, expected",
    [
        ({"full_name": "   "}, [("full_name", "Enter an answer for ‘What is your name?’", "full_name")]),
        ({"full_name": "S", "postcode": "nope"}, [("postcode", "Enter a real postcode, like AB1 2CD", "postcode")]),
        (
            {"full_name": "S", "postcode": "AB1 2CDXX"},
            [("postcode", "‘Postcode’ must be 8 characters or less", "postcode")],
        ),
        ({"full_name": "S", "code": "B1"}, [("code", "‘Practice code’ must be 3 characters or more", "code")]),
        ({"full_name": "S", "code": "1234"}, [("code", "Enter ‘Practice code’ in the correct format", "code")]),
        ({"full_name": "S" * 501}, [("full_name", "‘What is your name?’ must be 500 characters or less", "full_name")]),
    ],
)
def test_short_text_invalid(form, expected):
    assert errors(post("short_text", form)) == expected


def test_pattern_is_a_full_match():
    # "B12x" starts with a match of [A-Z][0-9]+ but is not one
    assert errors(post("short_text", {"full_name": "S", "code": "B12x"})) == [
        ("code", "Enter ‘Practice code’ in the correct format", "code")
    ]


def test_long_text():
    result = post("long_text", {"comments": "", "story": "line one\r\nline two"})
    assert result.errors == [] and result.values == {"comments": None, "story": "line one\nline two"}
    assert errors(post("long_text", {"story": "too short"})) == [
        ("story", "‘Tell us what happened’ must be 10 characters or more", "story")
    ]
    assert errors(post("long_text", {"story": "x" * 51})) == [
        ("story", "‘Tell us what happened’ must be 50 characters or less", "story")
    ]
    assert errors(post("long_text", {})) == [("story", "Enter an answer for ‘Tell us what happened’", "story")]


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form, expected_errors, values",
    [
        ({"patients": "12", "floor": "-2", "age": "120"}, [], {"patients": 12, "floor": -2, "age": 120}),
        ({"patients": " 0 "}, [], {"patients": 0, "floor": None, "age": None}),
        ({"patients": "1,200"}, [("patients", "Enter a whole number, like 12", "patients")], None),
        ({"patients": "12.5"}, [("patients", "Enter a whole number, like 12", "patients")], None),
        ({"patients": "twelve"}, [("patients", "Enter a whole number, like 12", "patients")], None),
        ({"patients": "501"}, [("patients", "Enter a number between 0 and 500", "patients")], None),
        ({"patients": "-1"}, [("patients", "Enter a number between 0 and 500", "patients")], None),
        ({"patients": "1", "floor": "-3"}, [("floor", "Enter a number that is -2 or more", "floor")], None),
        ({"patients": "1", "age": "121"}, [("age", "Enter a number that is 120 or less", "age")], None),
        ({}, [("patients", "Enter a number for ‘How many patients?’", "patients")], None),
        ({"patients": "9" * 40}, [("patients", "Enter a whole number, like 12", "patients")], None),
    ],
)
def test_integer(form, expected_errors, values):
    result = post("integer", form)
    assert errors(result) == expected_errors
    if values is not None:
        assert result.values == values
        assert all(type(v) is int for v in values.values() if v is not None)


@pytest.mark.parametrize(
    "text, expected_errors, value",
    [
        ("72.5", [], Decimal("72.5")),
        ("0.5", [], Decimal("0.5")),
        ("300.25", [], Decimal("300.25")),
        ("300.26", [("weight", "Enter a number between 0.5 and 300.25", "weight")], None),
        ("0.4", [("weight", "Enter a number between 0.5 and 300.25", "weight")], None),
        ("72,5", [("weight", "Enter a number, like 12 or 3.5", "weight")], None),
        ("1e3", [("weight", "Enter a number, like 12 or 3.5", "weight")], None),
        ("NaN", [("weight", "Enter a number, like 12 or 3.5", "weight")], None),
    ],
)
def test_decimal(text, expected_errors, value):
    result = post("decimal", {"weight": text})
    assert errors(result) == expected_errors
    assert result.values["weight"] == value


# --- dates -------------------------------------------------------------------------------------


def date_form(day, month, year, name="visit"):
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


@pytest.mark.parametrize(
    "parts, message",
    [
        (("", "", ""), "Enter a date for ‘When did you visit?’"),
        (("5", "", "2024"), "Date must include a month"),
        (("", "", "2024"), "Date must include a day and month"),
        (("5", "10", ""), "Date must include a year"),
        (("31", "2", "2024"), "Date must be a real date"),
        (("x", "2", "2024"), "Date must be a real date"),
        (("1", "2", "24"), "Year must include 4 numbers"),
        (("31", "12", "2019"), "Date must be between 1 January 2020 and 31 December 2030"),
        (("1", "1", "2031"), "Date must be between 1 January 2020 and 31 December 2030"),
    ],
)
def test_date_errors(parts, message):
    result = post("date", date_form(*parts))
    assert errors(result) == [("visit", message, "visit-day")]
    assert result.raw["visit"] == dict(zip(("day", "month", "year"), parts))


def test_date_valid_and_one_sided_bounds():
    form = {
        **date_form(" 5", "10 ", "2024"),
        **date_form("30", "6", "2010", "born"),
        **date_form("29", "2", "2024", "started"),
    }
    result = post("date", form)
    assert result.errors == []
    assert result.values == {
        "visit": datetime.date(2024, 10, 5),
        "born": datetime.date(2010, 6, 30),
        "started": datetime.date(2024, 2, 29),
    }
    form = {
        **date_form("5", "10", "2024"),
        **date_form("1", "7", "2010", "born"),
        **date_form("28", "2", "2024", "started"),
    }
    assert errors(post("date", form)) == [
        ("born", "Date must be the same as or before 30 June 2010", "born-day"),
        ("started", "Date must be the same as or after 29 February 2024", "started-day"),
    ]


# --- constraints ------------------------------------------------------------------------------


def test_constraints_with_current_value_today_and_other_answers():
    page = load("constraints").pages[0]
    good = {
        **date_form("1", "3", "2026", "start"),
        **date_form("15", "3", "2026", "finish"),
        "even": "4",
        "initials": "ABC",
    }
    result = parse_page(page, good, {}, today=TODAY)
    assert result.errors == []
    bad = {
        **date_form("16", "3", "2026", "start"),
        **date_form("1", "3", "2026", "finish"),
        "even": "3",
        "initials": "abcd",
    }
    assert errors(parse_page(page, bad, {}, today=TODAY)) == [
        ("start", "The start date must be today or in the past", "start-day"),
        ("finish", "The end date must be the same as or after the start date", "finish-day"),
        ("even", "The answer is not valid", "even"),
        ("initials", "Enter up to 3 capital letters", "initials"),
    ]


def test_constraint_not_checked_when_unanswered():
    page = load("constraints").pages[0]
    result = parse_page(page, {}, {}, today=TODAY)
    assert result.errors == [] and set(result.values.values()) == {None}


def test_constraint_uses_the_today_argument():
    page = load("constraints").pages[0]
    form = date_form("16", "3", "2026", "start")
    assert parse_page(page, form, {}, today=datetime.date(2026, 3, 16)).errors == []
    assert len(parse_page(page, form, {}, today=TODAY).errors) == 1


# --- notes ------------------------------------------------------------------------------------


def test_notes_never_produce_values():
    questionnaire = load("note")
    result = parse_page(questionnaire.pages[0], {"welcome": "sneaky"}, {})
    assert result == PageResult(values={}, errors=[], raw={})
    result = parse_page(questionnaire.pages[1], {"happy": "yes", "thanks": "x"}, {})
    assert result.values == {"happy": "yes"}
    assert [q.name for q in visible_questions(questionnaire.pages[1], result.values)] == ["happy", "thanks"]
    assert format_answer(questionnaire.question("welcome"), None) == ""


# --- conditions ------------------------------------------------------------------------------


def test_conditions_within_a_page_server_side():
    page = load("conditions_within_page").pages[0]
    result = parse_page(page, {"routes": ["letter"], "routes_other": "fax"}, {})
    # the hidden question is absent and its posted value ignored
    assert result.values == {"routes": ["letter"]} and result.errors == []
    assert "routes_other" not in result.raw
    result = parse_page(page, {"routes": ["letter", "other"]}, {})
    assert errors(result) == [("routes_other", "Enter an answer for ‘What other way?’", "routes_other")]
    # a question whose condition depends on a hidden question sees it as unanswered
    result = parse_page(page, {"routes": ["other"], "routes_other": "fax", "other_detail": "d"}, {})
    assert result.values == {"routes": ["other"], "routes_other": "fax", "other_detail": "d"}


def test_stale_answers_from_this_page_do_not_leak_into_conditions():
    page = load("conditions_within_page").pages[0]
    stale = {"routes": ["other"], "routes_other": "fax"}
    result = parse_page(page, {"routes": ["letter"], "other_detail": "d"}, stale)
    assert result.values == {"routes": ["letter"]}
    # the stale answer of the hidden question is not seen by the question after it
    assert visible_questions(page, {"routes": ["letter"], "routes_other": "fax"}) == [page.questions[0]]


def test_conditions_across_pages():
    q = load("conditions_across_pages")
    names = lambda pages: [p.name for p in pages]  # noqa: E731
    assert names(visible_pages(q, {})) == ["first", "end"]
    assert names(visible_pages(q, {"has_car": "no"})) == ["first", "end"]
    assert names(visible_pages(q, {"has_car": "yes"})) == ["first", "car", "end"]
    answers = {"has_car": "yes", "car_count": 2, "car_electric": "yes"}
    assert names(visible_pages(q, answers)) == ["first", "car", "charging", "end"]
    # hiding the car page hides its answers, and so the charging page
    answers["has_car"] = "no"
    assert names(visible_pages(q, answers)) == ["first", "end"]


def test_prune_hidden_cascades_in_form_order():
    q = load("conditions_across_pages")
    answers = {
        "has_car": "no",
        "car_count": 2,
        "car_electric": "yes",
        "charger": "yes",
        "comments": "hi",
        "unrelated": 1,
    }
    assert prune_hidden(q, answers) == {"has_car": "no", "comments": "hi", "unrelated": 1}
    answers["has_car"] = "yes"
    assert prune_hidden(q, answers) == answers
    answers["car_count"] = 0
    assert prune_hidden(q, answers) == {"has_car": "yes", "car_count": 0, "comments": "hi", "unrelated": 1}


def test_is_visible():
    question = Question("b", "yes_no", "B?", relevant="${a} > 3")
    assert is_visible(question, {"a": 4})
    assert not is_visible(question, {"a": 3})
    assert not is_visible(question, {})
    assert is_visible(Question("c", "yes_no", "C?"), {})
    dated = Question("d", "yes_no", "D?", relevant="today() > date('2026-03-14')")
    assert is_visible(dated, {}, today=TODAY)
    assert not is_visible(dated, {}, today=datetime.date(2026, 3, 14))


def test_demo_journey():
    gp = load_definition_file(Path(__file__).parent.parent / "surveyapp/demo/gp_iapt.yaml")
    answers = {}
    assert [p.name for p in visible_pages(gp, answers)] == ["about_you", "awareness", "your_views"]
    first = parse_page(gp.pages[0], {"practice_area": "north", "referrals": "3"}, answers)
    assert first.errors == []
    answers.update(first.values)
    answers.update(parse_page(gp.pages[1], {"aware": "yes"}, answers).values)
    assert [p.name for p in visible_pages(gp, answers)] == ["about_you", "awareness", "referring", "your_views"]
    result = parse_page(
        gp.pages[2],
        {"routes": ["letter", "other"], **date_form("1", "4", "2026", "last_referral")},
        answers,
        today=TODAY,
    )
    assert errors(result) == [
        ("routes_other", "Enter an answer for ‘What other way did you use?’", "routes_other"),
        ("last_referral", "The date of your last referral must be today or in the past", "last_referral-day"),
    ]


# --- formatting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, value, text",
    [
        (Question("a", "single_choice", "A", choices=[Choice("n", "North PCT")]), "n", "North PCT"),
        (Question("a", "multiple_choice", "A", choices=[Choice("x", "Ex"), Choice("y", "Why")]), ["x", "y"], "Ex, Why"),
        (Question("a", "yes_no", "A"), "yes", "Yes"),
        (Question("a", "likert", "A"), "strongly_agree", "Strongly agree"),
        (Question("a", "date", "A"), datetime.date(2011, 10, 5), "5 October 2011"),
        (Question("a", "integer", "A", suffix="patients"), 12, "12 patients"),
        (Question("a", "decimal", "A"), Decimal("72.50"), "72.50"),
        (Question("a", "rating", "A"), 0, "0"),
        (Question("a", "short_text", "A"), "Hello", "Hello"),
        (Question("a", "short_text", "A"), None, "Not answered"),
        (Question("a", "multiple_choice", "A"), [], "Not answered"),
        (Question("a", "long_text", "A"), "", "Not answered"),
    ],
)
def test_format_answer(question, value, text):
    assert format_answer(question, value) == text


def test_field_error_and_page_result_shapes():
    error = FieldError(name="a", message="m", field_id="a")
    assert PageResult(values={}, errors=[error], raw={}).errors == [error]
    page = Page("p", "P", [Question("when", "date", "When?", required=True, page_name="p")])
    result = parse_page(page, {}, {})
    assert result.errors == [FieldError("when", "Enter a date for ‘When?’", "when-day")]
    assert result.raw == {"when": {"day": "", "month": "", "year": ""}}


# --- storage, as each type declares it ------------------------------------------------------------

ROUND_TRIPS = [
    (Question("a", "single_choice", "A", choices=[Choice("n", "North")]), "n"),
    (Question("a", "multiple_choice", "A", choices=[Choice("x", "Ex"), Choice("y", "Why")]), ["x", "y"]),
    (Question("a", "likert", "A"), "agree"),
    (Question("a", "yes_no", "A"), "no"),
    (Question("a", "rating", "A"), 0),
    (Question("a", "integer", "A"), -12),
    (Question("a", "decimal", "A"), Decimal("72.50")),
    (Question("a", "date", "A"), datetime.date(2011, 10, 5)),
    (Question("a", "short_text", "A"), "Hello"),
    (Question("a", "long_text", "A"), "Line one\nLine two"),
]


def _stored(rows):
    return [
        StoredValue(row.get("choice"), row.get("value_text"), row.get("value_number"), row.get("value_date"))
        for row in rows
    ]


@pytest.mark.parametrize("question, value", ROUND_TRIPS, ids=[q.type for q, _ in ROUND_TRIPS])
def test_every_type_is_stored_and_read_back_and_reposted_unchanged(question, value):
    rows = answer_rows(question.type, value)
    assert rows and all(set(row) <= {"choice", "value_text", "value_number", "value_date"} for row in rows)
    assert stored_answer(question, _stored(rows)) == value
    page = Page("p", "P", [question])
    assert parse_page(page, as_posted(question, value), {}).values == {"a": value}


def test_choice_rows_name_the_option_and_numbers_keep_their_text():
    assert answer_rows("multiple_choice", ["x", "y"]) == [
        {"choice": "x", "value_text": "x"},
        {"choice": "y", "value_text": "y"},
    ]
    assert answer_rows("decimal", Decimal("0.10")) == [{"value_number": 0.1, "value_text": "0.10"}]
    assert answer_rows("note", "anything") == [] and answer_rows("short_text", None) == []
    several = Question("a", "multiple_choice", "A", choices=[Choice("x", "Ex"), Choice("y", "Why")])
    assert stored_answer(several, _stored(answer_rows("multiple_choice", ["y", "x"]))) == ["x", "y"]

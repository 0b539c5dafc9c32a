"""Tests for the definition dataclasses and the definition file loader."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from surveyapp.questionnaires.definition import CHOICE_TYPES, QUESTION_TYPES, Choice, Question, Questionnaire
from surveyapp.questionnaires.loader import (
    SCHEMA_PATH,
    DefinitionError,
    Problem,
    load_definition_file,
    load_definition_text,
    load_schema,
)

HERE = Path(__file__).parent
EXAMPLES = sorted(p for p in (HERE / "questionnaires").glob("*.yaml") if p.name != "broken.yaml")
DEMOS = [HERE.parent / "surveyapp" / "demo" / name for name in ("gp_iapt.yaml", "phb_interview.yaml")]


def problems_of(text):
    with pytest.raises(DefinitionError) as info:
        load_definition_text(text)
    return [str(p) for p in info.value.problems]


MINIMAL = """\
slug: s
title: T
pages:
  - name: p
    title: P
    questions:
"""


def with_questions(yaml_questions: str) -> str:
    return MINIMAL + yaml_questions


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_loads_and_round_trips(path):
    questionnaire = load_definition_file(path)
    data = questionnaire.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Questionnaire.from_dict(data) == questionnaire
    assert load_definition_text(json.dumps(data)) == questionnaire


@pytest.mark.parametrize("path", DEMOS, ids=lambda p: p.name)
def test_demo_questionnaires_load(path):
    questionnaire = load_definition_file(path)
    assert Questionnaire.from_dict(questionnaire.to_dict()) == questionnaire
    assert 12 <= len(questionnaire.all_questions()) <= 16
    assert 4 <= len(questionnaire.pages) <= 5


def test_demo_details():
    gp = load_definition_file(DEMOS[0])
    assert gp.slug == "gp-iapt"
    assert [(c.value, c.label) for c in gp.question("practice_area").choices] == [
        ("north", "North PCT"),
        ("south", "South PCT"),
        ("east", "East PCT"),
    ]
    assert gp.question("referrals").min == 0 and gp.question("referrals").max == 500
    phb = load_definition_file(DEMOS[1])
    assert phb.slug == "phb-interview" and phb.settings["interview"] is True
    assert phb.question("consent").consent and phb.question("consent").required


def test_every_question_type_has_an_example():
    types = {q.type for path in EXAMPLES for q in load_definition_file(path).all_questions()}
    assert types == set(QUESTION_TYPES)


def test_question_defaults():
    yes_no = Question("a", "yes_no", "A?")
    assert yes_no.choices == [Choice("yes", "Yes"), Choice("no", "No")]
    likert = Question("b", "likert", "B?")
    assert [c.value for c in likert.choices] == ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree"]
    assert likert.choice_label("neither") == "Neither agree nor disagree"
    rating = Question("c", "rating", "C?")
    assert (rating.min, rating.max) == (0, 10)
    assert Question("d", "short_text", "D?").max_length == 500
    assert Question("e", "long_text", "E?").max_length == 5000
    assert Question("f", "yes_no", "F?", consent=True).required
    assert yes_no.is_choice and not rating.is_choice
    assert CHOICE_TYPES == {"single_choice", "multiple_choice", "likert", "yes_no", "rank"}
    assert yes_no.choice_label("maybe") == "maybe"


def test_typed_values_from_the_file():
    date_q = load_definition_file(HERE / "questionnaires" / "date.yaml")
    assert date_q.question("visit").min == datetime.date(2020, 1, 1)
    assert date_q.question("started").min == datetime.date(2024, 2, 29)
    dec = load_definition_file(HERE / "questionnaires" / "decimal.yaml").question("weight")
    assert dec.min == Decimal("0.5") and dec.max == Decimal("300.25")
    single = load_definition_file(HERE / "questionnaires" / "single_choice.yaml")
    assert [c.value for c in single.question("size").choices] == ["1", "2"]
    shared = load_definition_file(HERE / "questionnaires" / "choice_lists.yaml")
    assert shared.question("gp_visits").choices == shared.question("pharmacy_visits").choices
    constraints = load_definition_file(HERE / "questionnaires" / "constraints.yaml")
    assert constraints.settings == {"closes_on": datetime.date(2030, 1, 31), "reminder_max": 3}
    assert constraints.setting("reminder_interval_days") == 7


def test_questionnaire_lookups():
    q = load_definition_file(HERE / "questionnaires" / "conditions_across_pages.yaml")
    assert [x.name for x in q.all_questions()] == ["has_car", "car_count", "car_electric", "charger", "comments"]
    assert q.question("car_count").page_name == "car"
    assert q.page("charging").questions[0].name == "charger"
    with pytest.raises(KeyError):
        q.question("nope")
    with pytest.raises(KeyError):
        q.page("nope")


def test_broken_file_reports_every_problem_with_its_line():
    with pytest.raises(DefinitionError) as info:
        load_definition_file(HERE / "questionnaires" / "broken.yaml")
    lines = str(info.value).splitlines()
    assert lines == [
        "line 1: questionnaire: slug 'Broken Survey' must be 1 to 64 lowercase letters, digits or hyphens",
        "line 3: questionnaire: unknown key 'colour'",
        "line 5: settings: 'reminder_max' must be a whole number",
        "line 6: settings: unknown key 'remindr_interval_days' (did you mean 'reminder_interval_days'?)",
        "line 10: choice list 'sizes': choice 2: the value 's' is used twice (also on line 9)",
        "line 14: page 'first': 'relevant' refers to question 'later', which is on this page or a later one (a page condition can only use answers from earlier pages)",
        "line 17: question 'q1' on page 'first': unknown type 'single-choice' (did you mean 'single_choice'?) (expected one of: single_choice, multiple_choice, likert, rating, short_text, long_text, integer, decimal, date, yes_no, time, datetime, rank, hidden, note)",
        "line 19: question '2nd' on page 'first': the question name '2nd' must start with a letter or underscore, contain only letters, digits and underscores, and be at most 64 characters",
        "line 25: question 'q3' on page 'first': 'min' (10) is greater than 'max' (5)",
        "line 30: question 'q4' on page 'first': the choice list 'colours' is not defined under 'choice_lists'",
        "line 31: question 'q5' on page 'first': 'label' is missing",
        "line 33: question 'q5' on page 'first': unknown key 'lable' (did you mean 'label'?)",
        "line 34: question 'q3' on page 'first': the name 'q3' is already used by a question on page 'first' (line 22)",
        "line 40: question 'q6' on page 'first': 'relevant' has an error: The expression ends too early at character 18: something is missing, such as a closing ')' or a value after an operator",
        "line 41: question 'q6' on page 'first': 'pattern' is not a valid regular expression: unterminated character set",
        "line 45: question 'q7' on page 'first': 'relevant' refers to question 'later', which comes later in the form (a condition can only use answers to earlier questions)",
        "line 49: question 'q8' on page 'first': 'consent' does not apply to short_text questions (only to: yes_no)",
        "line 51: question 'q9' on page 'first': a multiple_choice question needs 'choices'",
        "line 57: question 'q10' on page 'first': 'relevant' uses '.' (the current answer), which can only be used in a 'constraint'",
        "line 57: question 'q10' on page 'first': 'relevant' refers to unknown question 'nosuch'",
        "line 58: page 'first': another page is already called 'first' (line 12)",
        "line 60: page 'first': the page has no questions",
        "line 72: question 'q11' on page 'later_page': choice 2: the value 'a' is used twice (also on line 71)",
        "line 73: question 'q11' on page 'later_page': choice 3: 'label' is missing",
        "line 77: question 'q12' on page 'later_page': 'max' must be a number",
        "line 78: question 'q12' on page 'later_page': 'relevant' has an error: Unknown function 'foo' at character 1",
    ]
    first = info.value.problems[0]
    assert first == Problem(1, "questionnaire", first.message)
    assert info.value.source.endswith("broken.yaml")


def test_problem_str():
    assert (
        str(Problem(14, "question 'pct' on page 'about'", "unknown type 'x'"))
        == "line 14: question 'pct' on page 'about': unknown type 'x'"
    )
    assert str(Problem(None, "", "the file is empty")) == "the file is empty"


def test_yaml_syntax_error_has_its_line():
    problems = problems_of("slug: s\ntitle: [unclosed\npages: []\n")
    assert len(problems) == 1
    assert problems[0].startswith("line 3: YAML syntax error:")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "line 1: a questionnaire file must be a mapping with slug, title and pages; this one is empty"),
        ("- a\n- b\n", "line 1: a questionnaire file must be a mapping with slug, title and pages; this one is a list"),
        ("just text\n", "a questionnaire file must be a mapping with slug, title and pages; this one is text"),
    ],
)
def test_file_must_be_a_mapping(text, message):
    assert problems_of(text) == [message]


def test_missing_top_level_keys():
    assert problems_of("description: nothing else\n") == [
        "line 1: questionnaire: 'slug' is missing",
        "line 1: questionnaire: 'title' is missing",
        "line 1: questionnaire: 'pages' is missing",
    ]


def test_empty_pages_list():
    assert problems_of("slug: s\ntitle: T\npages: []\n") == ["line 3: questionnaire: 'pages' is an empty list"]


def test_duplicate_yaml_keys_are_reported():
    text = with_questions("      - name: a\n        type: yes_no\n        label: A\n        label: B\n")
    assert problems_of(text) == ["line 10: the key 'label' appears twice in the same mapping (first on line 9)"]


def test_yaml_aliases_are_refused():
    text = "slug: &x s\ntitle: *x\npages: []\n"
    assert problems_of(text)[0].startswith("line 2: YAML syntax error: aliases")


@pytest.mark.parametrize(
    "question, message",
    [
        ("{name: a, type: yes_no, label: A, required: maybe}", "'required' must be true or false"),
        (
            "{name: a, type: single_choice, label: A, choices: [{value: true, label: T}]}",
            "choice 1: 'value' must be text or a whole number (put it in quotes)",
        ),
        ("{name: a, type: single_choice, label: A, choices: []}", "'choices' is an empty list"),
        (
            "{name: a, type: single_choice, label: A, choices: [{value: 'x y', label: X}]}",
            "choice 1: the value 'x y' must not contain spaces",
        ),
        (
            "{name: a, type: short_text, label: A, choices: [{value: x, label: X}]}",
            "'choices' does not apply to short_text questions (only to: single_choice, multiple_choice, likert, rank)",
        ),
        ("{name: a, type: note, label: A, required: true}", "'required' does not apply to note questions"),
        ("{name: a, type: rating, label: A, min: 0, max: 30}", "a rating scale can have at most 21 points"),
        ("{name: a, type: date, label: A, min: 2024-13-01}", "'min' must be a date like 2024-01-31"),
        ("{name: a, type: integer, label: A, min: 1.5}", "'min' must be a whole number"),
        (
            "{name: a, type: short_text, label: A, min_length: 9, max_length: 3}",
            "'min_length' (9) is greater than 'max_length' (3)",
        ),
        (
            "{name: a, type: short_text, label: A, pattern_message: Nope}",
            "'pattern_message' is set but 'pattern' is not",
        ),
        ("{name: a, type: short_text, label: ''}", "'label' is empty"),
        ("{name: a, type: integer, label: A, width: 7}", "'width' must be one of: 2, 3, 4, 5, 10, 20, 30"),
        (
            "{name: a, type: integer, label: A, constraint: '${a} > 1 and ${zzz} < 2'}",
            "'constraint' refers to unknown question 'zzz'",
        ),
        ("{name: a, type: integer, label: A, relevant: '${a} > 1'}", "'relevant' refers to the question itself"),
        (
            "{name: a, type: integer, label: A, relevant: '${ab} > 1'}",
            "'relevant' refers to unknown question 'ab' (did you mean 'a'?)",
        ),
    ],
)
def test_single_question_problems(question, message):
    problems = problems_of(with_questions(f"      - {question}\n"))
    assert len(problems) == 1, problems
    assert problems[0].startswith("line 7: question 'a' on page 'p': " + message), problems


def test_reference_to_a_note_is_reported():
    text = with_questions(
        "      - {name: n, type: note, label: N}\n      - {name: a, type: yes_no, label: A, relevant: \"${n} = 'x'\"}\n"
    )
    assert problems_of(text) == [
        "line 8: question 'a' on page 'p': 'relevant' refers to 'n', which is a note and has no answer"
    ]


def test_constraint_may_use_earlier_questions_and_itself():
    text = with_questions(
        "      - {name: a, type: integer, label: A}\n"
        "      - {name: b, type: integer, label: B, constraint: '. > ${a} and ${b} < 100'}\n"
    )
    assert load_definition_text(text).question("b").constraint == ". > ${a} and ${b} < 100"


def test_unknown_choice_list_suggests_a_close_name():
    text = (
        "slug: s\ntitle: T\nchoice_lists:\n  areas: [{value: a, label: A}]\npages:\n"
        "  - name: p\n    title: P\n    questions:\n"
        "      - {name: q, type: single_choice, label: Q, choices: area}\n"
    )
    assert problems_of(text) == [
        "line 9: question 'q' on page 'p': the choice list 'area' is not defined under "
        "'choice_lists' (did you mean 'areas'?)"
    ]


def test_settings_are_checked():
    text = (
        "slug: s\ntitle: T\nsettings:\n  closes_on: 2026-02-30\n  interview: yes\n"
        "  reminder_max: 11\n" + MINIMAL.split("\n", 2)[2] + "      - {name: a, type: yes_no, label: A}\n"
    )
    assert problems_of(text) == [
        "line 4: settings: 'closes_on' must be a date like 2026-12-31, not '2026-02-30'",
        "line 5: settings: 'interview' must be true or false",
        "line 6: settings: 'reminder_max' must be at most 10",
    ]


def test_yes_and_no_are_text_not_booleans():
    text = with_questions(
        "      - name: a\n        type: single_choice\n        label: A\n"
        "        choices:\n          - {value: yes, label: Y}\n"
        "          - {value: no, label: N}\n"
    )
    assert [c.value for c in load_definition_text(text).question("a").choices] == ["yes", "no"]


def test_json_input_is_accepted():
    data = {
        "slug": "j",
        "title": "J",
        "pages": [{"name": "p", "title": "P", "questions": [{"name": "a", "type": "yes_no", "label": "A"}]}],
    }
    assert load_definition_text(json.dumps(data)).question("a").type == "yes_no"


def test_unreadable_file():
    with pytest.raises(DefinitionError, match="cannot be read"):
        load_definition_file(HERE / "questionnaires" / "does-not-exist.yaml")


def test_to_dict_is_the_native_format():
    q = load_definition_file(HERE / "questionnaires" / "rating.yaml")
    assert q.to_dict()["pages"][0]["questions"][1] == {
        "name": "stars",
        "type": "rating",
        "label": "How many stars?",
        "min": 1,
        "max": 5,
    }


def test_the_documented_schema_is_the_one_used():
    schema = load_schema()
    # schema.json leaves the type enum to the declarations in types.py; the loader fills it in.
    assert {k: v for k, v in schema.items() if k != "$defs"} == {
        k: v for k, v in json.loads(SCHEMA_PATH.read_text()).items() if k != "$defs"
    }
    assert schema["$defs"]["question"]["properties"]["type"]["enum"] == list(QUESTION_TYPES)
    doc_schema = HERE.parent / "docs" / "questionnaire.schema.json"
    assert json.loads(doc_schema.read_text()) == schema


def test_the_example_in_the_format_documentation_loads():
    doc = (HERE.parent / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    questionnaire = load_definition_text(example)
    assert {q.type for q in questionnaire.all_questions()} == set(QUESTION_TYPES)


def test_wrong_shapes_are_problems_with_lines_not_tracebacks():
    text = with_questions(
        "      - {name: a, type: single_choice, label: A, choices: [1, {value: x}]}\n"
        "      - {name: b, type: [x], label: B}\n"
        "      - {name: c, type: likert, label: C, choices: 5}\n"
        "      - 7\n"
    )
    assert problems_of(text) == [
        "line 7: question 'a' on page 'p': choice 1: this must be a mapping of keys to values",
        "line 7: question 'a' on page 'p': choice 2: 'label' is missing",
        "line 8: question 'b' on page 'p': unknown type '['x']' (expected one of: " + ", ".join(QUESTION_TYPES) + ")",
        "line 9: question 'c' on page 'p': 'choices' must be the name of a choice list or a list of choices",
        "line 10: question 4 on page 'p': this must be a mapping of keys to values",
    ]


_FUZZ_BASE = {
    "slug": "s",
    "title": "T",
    "choice_lists": {"l": [{"value": "a", "label": "A"}]},
    "settings": {"interview": True, "closes_on": "2026-01-01"},
    "pages": [
        {
            "name": "p",
            "title": "P",
            "questions": [
                {"name": "x", "type": "integer", "label": "X", "min": 1, "max": 3},
                {"name": "y", "type": "single_choice", "label": "Y", "choices": "l", "relevant": "${x} > 1"},
                {
                    "name": "z",
                    "type": "multiple_choice",
                    "label": "Z",
                    "choices": [{"value": "a", "label": "A"}],
                    "constraint": ". = 'a'",
                },
            ],
        },
        {
            "name": "q",
            "title": "Q",
            "relevant": "${x} = 1",
            "questions": [{"name": "w", "type": "date", "label": "W", "min": "2020-01-01"}],
        },
    ],
}


def _all_paths(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from _all_paths(child, path + (key,))


@pytest.mark.parametrize("weird", [None, 1.5, True, "", "${", [], {}, ["x"], {"name": ["a"]}])
def test_any_value_anywhere_gives_problems_not_tracebacks(weird):
    load_definition_text(json.dumps(_FUZZ_BASE))
    for path in list(_all_paths(_FUZZ_BASE))[1:]:
        data = json.loads(json.dumps(_FUZZ_BASE))
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = weird
        try:
            load_definition_text(json.dumps(data))
        except DefinitionError as exc:
            assert exc.problems and all(isinstance(p.message, str) for p in exc.problems)

"""Hostile survey definitions (issue 13, items 4 and 10) get the same clear error list as any bad definition.

Deep nesting (RecursionError), characters YAML refuses (ReaderError), a 5,000-digit number
(ValueError from int()) and patterns with nested quantifiers: refused with line-numbered
problems by the loader, the admin paste upload and `flask surveys import`, never a 500 or a
traceback. Patterns that pass still run with a time limit, so no answer can hold a worker.
"""

from __future__ import annotations

import threading

import pytest
from auth_helpers import make_user, sign_in
from journey_helpers import Journey, error_summary

from surveyapp.questionnaires import patterns
from surveyapp.questionnaires.definition import Page, Question
from surveyapp.questionnaires.expressions import ExpressionError, is_true, parse
from surveyapp.questionnaires.loader import DefinitionError, load_definition_data, load_definition_text
from surveyapp.questionnaires.runtime import parse_page

VALID = """slug: patterned
title: Patterns
pages:
  - name: p
    title: P
    questions:
      - name: code
        type: short_text
        label: Your code
        pattern: "{pattern}"
"""

# name -> (definition text, the problem expected in the list)
HOSTILE = {
    "100k-deep YAML": ("a: " + "[" * 100_000 + "]" * 100_000, "line 1: mappings and lists are nested more than 32"),
    "100k-deep JSON": (
        '{"slug": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}",
        "line 1: mappings and lists are nested more than 32",
    ),
    "NUL": ("slug: a\x00b\ntitle: T\n", "line 1: the character U+0000 is not allowed"),
    "ESC": ("slug: ab\ntitle: T\x1b[31m\n", "line 2: the character U+001B is not allowed"),
    "U+FFFF": ("slug: ab\ntitle: T\n\n# \uffff\n", "line 4: the character U+FFFF is not allowed"),
    "5,000-digit integer": (
        "slug: big\ntitle: Big\npages:\n  - name: p\n    title: P\n    questions:\n"
        "      - {name: n, type: integer, label: N, max: " + "9" * 5000 + "}\n",
        "line 7: a number has 5000 digits (at most 100 are allowed)",
    ),
    "nested quantifier": (
        VALID.format(pattern="(a+)+$"),
        "line 10: question 'code' on page 'p': 'pattern' repeats something that is itself repeated",
    ),
    "nested quantifier in regex()": (
        VALID.format(pattern="[a-z]+").replace(
            "        pattern", "        constraint: regex(., '(b*)*x')\n        pattern"
        ),
        "line 10: question 'code' on page 'p': 'constraint' has an error: The pattern '(b*)*x' at character 10 repeats",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_the_loader_lists_the_problem(name):
    text, expected = HOSTILE[name]
    with pytest.raises(DefinitionError) as refused:
        load_definition_text(text)
    assert any(str(p).startswith(expected) for p in refused.value.problems), refused.value.problems


def test_parsed_data_is_checked_for_depth_and_huge_numbers_without_recursion():
    deep = leaf = {}
    for _ in range(100_000):
        leaf["a"] = {}
        leaf = leaf["a"]
    for data, expected in ((deep, "nested more than 32 levels"), ({"slug": 10**5000}, "more than 100 digits")):
        with pytest.raises(DefinitionError) as refused:
            load_definition_data(data)
        assert expected in str(refused.value)


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


@pytest.mark.parametrize("name", HOSTILE)
def test_the_admin_paste_upload_shows_the_error_list(admin_client, name):
    text, expected = HOSTILE[name]
    page = admin_client.post("/admin/surveys/import", data={"definition_text": text})
    assert page.status_code == 200
    assert "nothing was imported" in page.text
    problems = [message for _, message in error_summary(page.text)]
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("name", HOSTILE)
def test_the_cli_prints_the_error_list(runner, tmp_path, name):
    text, expected = HOSTILE[name]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "nothing was imported" in result.output
    assert f"  {expected}" in result.output


# --- patterns at run time ---------------------------------------------------------------------------

SLOW = "(a|a)*$"  # no nested quantifier, so accepted; exponential in Python's re and in regex
HOURS = "a" * 60 + "!"  # 2**60 ways to fail: without the time limit, checking it would never end


def finishes(work, within: float = 60.0):
    """Run work() and return its result, failing if it is still running after `within` seconds.

    Not a speed measurement: without the time limit these calls would run for years, so merely
    finishing proves the limit applies; the bound only keeps a regression from hanging the suite."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", work()), daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), "the pattern check ran without a time limit"
    return result["value"]


def test_a_slow_pattern_is_cut_off_by_the_time_limit():
    assert patterns.problem(SLOW) is None
    assert finishes(lambda: patterns.full_match(SLOW, HOURS)) is False
    assert patterns.full_match("[A-Z]{2}[0-9]{2}", "AB12") is True


def test_an_answer_to_a_slow_pattern_is_refused_quickly_with_the_pattern_message():
    page = Page(
        "p",
        "P",
        [Question("code", "short_text", "Code", pattern=SLOW, pattern_message="Enter the code as printed")],
    )
    result = finishes(lambda: parse_page(page, {"code": HOURS}, {}))
    assert [e.message for e in result.errors] == ["Enter the code as printed"]
    assert parse_page(page, {"code": "aaaa"}, {}).errors == []


def test_regex_in_expressions_runs_with_the_time_limit_even_with_a_pattern_from_an_answer():
    assert finishes(lambda: is_true("regex(${a}, ${b})", {"a": HOURS, "b": SLOW})) is False
    assert is_true("regex(${a}, '^[0-9]+$')", {"a": "123"}) is True
    with pytest.raises(ExpressionError, match="nested quantifier"):
        parse("regex(${a}, '(a+)+$')")


def test_a_respondent_cannot_hold_a_worker_with_a_long_answer(client, import_survey, invite):
    survey = import_survey("slow", text=VALID.format(pattern=SLOW.replace("$", "")))
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    page = journey.answer("p", {"code": HOURS})  # it answers at all: the check gave up at its time limit
    assert error_summary(page.get_data(as_text=True)) == [("#code", "Enter ‘Your code’ in the correct format")]

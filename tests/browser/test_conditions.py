"""Live show/hide of questions in real Chromium (static/js/conditions.js), and the journey with JavaScript off.

Also a cross-check: a table of expressions and answers run through the Python
evaluator and through the JavaScript one in the browser must agree.
"""

from __future__ import annotations

import datetime
import decimal

import pytest

from surveyapp.extensions import db
from surveyapp.questionnaires import expressions

pytestmark = pytest.mark.browser


def _watch(page):
    problems, documents = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)
    return problems, documents


def _link(import_survey, invite) -> str:
    _, _, path = invite(import_survey("conditions_within_page"))
    db.session.rollback()  # end the test's read transaction: SQLite would keep the live server waiting
    return path


def _open_main_page(page, path):
    page.goto(path)
    page.click("button:has-text('Start now')")
    page.wait_for_url("**/page/main")


def test_follow_up_appears_and_disappears_without_a_round_trip(import_survey, invite, web):
    path = _link(import_survey, invite)
    page = web.new_page()
    problems, documents = _watch(page)
    _open_main_page(page, path)
    follow_up = page.locator("[data-question=routes_other]")
    assert follow_up.is_hidden() and page.locator("#routes_other").is_disabled()
    loaded = len(documents)

    page.check("input[name=routes][value=other]")
    assert follow_up.is_visible() and page.locator("#routes_other").is_enabled()
    assert page.locator("[data-question=other_detail]").is_hidden()
    page.fill("#routes_other", "By fax")
    assert page.locator("[data-question=other_detail]").is_visible()  # a condition on a revealed question
    page.uncheck("input[name=routes][value=other]")
    assert follow_up.is_hidden() and page.locator("[data-question=other_detail]").is_hidden()
    assert page.locator("[data-question=routes_other] input[name=_shown]").is_disabled()
    assert len(documents) == loaded  # all of that without a request

    page.check("input[name=routes][value=other]")
    page.check("input[name=routes][value=letter]")
    page.fill("#other_detail", "Only on Tuesdays")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    text = page.inner_text("main")
    assert "By fax" in text and "Only on Tuesdays" in text and "Letter" in text
    assert not problems, problems


def test_answers_of_questions_hidden_again_are_not_sent(import_survey, invite, web):
    path = _link(import_survey, invite)
    page = web.new_page()
    problems, _ = _watch(page)
    _open_main_page(page, path)
    page.check("input[name=routes][value=letter]")
    page.check("input[name=routes][value=other]")
    page.fill("#routes_other", "By pigeon")
    page.uncheck("input[name=routes][value=other]")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")  # no "more questions" detour: the server agrees with what was shown
    assert "By pigeon" not in page.inner_text("main")
    assert not problems, problems


def test_with_javascript_off_the_server_reveals_follow_ups_on_the_same_page(import_survey, invite, web):
    path = _link(import_survey, invite)
    page = web.new_page(java_script_enabled=False)
    _open_main_page(page, path)
    assert page.locator("[data-question=routes_other]").is_hidden()
    page.check("input[name=routes][value=other]")
    assert page.locator("[data-question=routes_other]").is_hidden()  # nothing happens in the browser
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()
    assert "More questions have been added" in page.inner_text("main")
    assert page.locator("[data-question=routes_other]").is_visible()
    page.fill("#routes_other", "By fax")
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()
    assert page.locator("[data-question=other_detail]").is_visible()
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/check")
    assert "By fax" in page.inner_text("main")


# --- the two evaluators agree ------------------------------------------------------------

ANSWERS = {
    "routes": ["letter", "other"],
    "none": [],
    "n": 3,
    "z": 0,
    "dec": 2.5,
    "neg": -7,
    "text": "Hello world",
    "yes": "yes",
    "numtext": "12",
    "d": {"date": "2024-02-29"},
    "d2": {"date": "2023-12-31"},
    "space": "a  b",
    "quote": "it's",
    "bad": "[",
}
CASES = [
    "selected(${routes}, 'other')",
    "selected(${routes}, 'fax')",
    "selected(${none}, 'other')",
    "selected(${space}, 'b')",
    "selected(${space}, '')",
    "count-selected(${routes})",
    "count-selected(${space})",
    "count-selected(${missing})",
    "${routes} = 'letter other'",
    "${routes} != ''",
    "${n} > 2 and ${n} < 4",
    "${n} = '3'",
    "${n} = 3.0",
    "${numtext} = 12",
    "${numtext} > 9",
    "${text} > 3",
    "${missing} > 3",
    "${missing} < 3",
    "${missing} = 0",
    "${missing} = ''",
    "${missing} != ''",
    "not(${missing})",
    "not(${z})",
    "${z}",
    "${z} = false()",
    "true() = 1",
    "false() = ''",
    "${yes} = true()",
    "1 + 2 * 3 = 7",
    "(1 + 2) * 3",
    "-2 * 3",
    "2 - -3",
    "10 div 4",
    "10 div 0",
    "10 mod 0",
    "-7 mod 3",
    "7 mod -3",
    "${neg} mod 3",
    "0.1 + 0.2 = 0.3",
    "0.1 + 0.2",
    "${dec} * 2",
    "${dec} + ${missing}",
    "1 div 0 != 1 div 0",
    "1 div 0 = 1 div 0",
    "1 div 0 < 1",
    "int(-3.7)",
    "int(${dec})",
    "int('x')",
    "number('4.50')",
    "number(' 7 ')",
    "number('1e3')",
    "string-length(${text})",
    "string-length('héllo')",
    "string-length(${missing})",
    "regex(${text}, '^Hel+o')",
    "regex(${text}, 'world$')",
    "regex(${text}, ${bad})",
    "regex(${numtext}, '^\\d+$')",
    "if(${n} = 3, 'three', 'other')",
    "if(${missing}, 1, 2)",
    "coalesce(${missing}, 'fallback')",
    "coalesce(${text}, 'fallback')",
    "coalesce(${none}, 'empty')",
    "${d} = '2024-02-29'",
    "${d} > ${d2}",
    "${d} - ${d2}",
    "${d} + 1",
    "date(${d} + 1)",
    "date('2024-03-01') = ${d} + 1",
    "${d} > '2024-01-01'",
    "${d} < 'soon'",
    "date(19782)",
    "date(${text})",
    "today() > date('2020-01-01')",
    "today() - today()",
    "${d} = date('2024-02-29')",
    '${quote} = "it\'s"',
    "${yes} = 'yes' or ${n} = 99",
    "${yes} = 'no' or ${n} = 99 and ${z} = 0",
    "${n} >= 3 and ${n} <= 3",
    "${n} != 3",
    "3 = 3 = true()",
]
PARSE_ERRORS = ["1 +", "foo(1)", "${a b}", "(1", "word = 1", "selected(${a})", "'open", "1 2"]


def _typed(value):
    if isinstance(value, dict):
        return datetime.date.fromisoformat(value["date"])
    if isinstance(value, float):
        return decimal.Decimal(str(value))
    return value


def test_python_and_javascript_evaluators_agree(app, web):
    page = web.new_page()
    page.goto("/login")
    results = page.evaluate(
        """async ([cases, errors, answers]) => {
        const m = await import('/static/js/conditions.js');
        const stored = m.decodeAnswers(answers);
        const run = (text) => {
            try { const v = m.evaluate(text, stored); return {truth: m.toBoolean(v), text: m.toString(v)}; }
            catch (e) { return {error: String(e.message)}; }
        };
        return {cases: cases.map(run), errors: errors.map(run)};
    }""",
        [CASES, PARSE_ERRORS, ANSWERS],
    )
    typed = {name: _typed(value) for name, value in ANSWERS.items()}
    disagreements = []
    for text, js in zip(CASES, results["cases"]):
        value = expressions.evaluate(text, typed)
        python = {"truth": expressions.to_boolean(value), "text": expressions.to_string(value)}
        if js != python:
            disagreements.append((text, python, js))
    assert not disagreements, disagreements
    for text, js in zip(PARSE_ERRORS, results["errors"]):
        with pytest.raises(expressions.ExpressionError):
            expressions.parse(text)
        assert "error" in js, (text, js)

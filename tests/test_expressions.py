"""Tests for the XLSForm expression parser and evaluator."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.questionnaires.expressions import MAX_DEPTH, ExpressionError, evaluate, is_true, parse

TODAY = datetime.date(2026, 3, 15)


def ev(text, answers=None, current=None):
    return evaluate(text, answers or {}, current=current, today=TODAY)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("1 + 2 * 3 = 7", True),
        ("10 - 4 - 3", 3),
        ("7 div 2", Decimal("3.5")),
        ("8 div 2 * 3", 12),
        ("7 mod 3", 1),
        ("-7 mod 3", -1),
        ("2 + 7 mod 3", 3),
        ("-3 + 5", 2),
        ("- (2 + 3)", -5),
        ("1 - -2", 3),
        ("0.5 + 0.25", Decimal("0.75")),
        ("0.5 + 0.5", 1),
    ],
)
def test_arithmetic_and_precedence(text, expected):
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("true() or false() and false()", True),  # and binds tighter than or
        ("(true() or false()) and false()", False),
        ("false() or true() and true()", True),
        ("1 < 2 = true()", True),  # relational binds tighter than equality
        ("1 + 1 = 2 and 3 > 2", True),
        ("not(1 = 1) or 2 = 2", True),
    ],
)
def test_boolean_precedence(text, expected):
    assert ev(text) is expected


@pytest.mark.parametrize(
    "text, answers, expected",
    [
        ("${n} = 12", {"n": 12}, True),
        ("${n} = '12'", {"n": 12}, True),
        ("${s} = 12", {"s": "12"}, True),
        ("${s} = 12", {"s": "12.0"}, True),
        ("${s} < 9", {"s": "12"}, False),  # numeric, not alphabetical
        ("${s} > 9", {"s": "12"}, True),
        ("${s} = 'abc'", {"s": "abc"}, True),
        ("${s} != 'abc'", {"s": "abd"}, True),
        ("${s} = 1", {"s": "abc"}, False),
        ("${s} != 1", {"s": "abc"}, True),
        ("${missing} = ''", {}, True),
        ("${missing} = 0", {}, False),
        ("${missing} > 3", {}, False),
        ("${missing} < 3", {}, False),
        ("${none} = ''", {"none": None}, True),
        ("'' = 0", {}, False),
        ("'' > 3", {}, False),
        ("${d} = 3.5", {"d": Decimal("3.5")}, True),
        ("${d} > 3", {"d": Decimal("3.5")}, True),
        ("${d} >= 3.5 and ${d} <= 3.5", {"d": Decimal("3.5")}, True),
    ],
)
def test_comparisons(text, answers, expected):
    assert ev(text, answers) is expected


def test_multiple_choice_lists():
    answers = {"m": ["a", "b"], "empty": []}
    assert ev("selected(${m}, 'a')", answers) is True
    assert ev("selected(${m}, 'c')", answers) is False
    assert ev("selected(${empty}, 'a')", answers) is False
    assert ev("selected(${missing}, 'a')", answers) is False
    assert ev("count-selected(${m})", answers) == 2
    assert ev("count-selected(${empty})", answers) == 0
    assert ev("count-selected(${missing})", answers) == 0
    assert ev("${m} = 'a b'", answers) is True
    assert ev("${m} = 'a'", answers) is False
    assert ev("selected('a b', 'b')", answers) is True
    assert ev("count-selected('a b c')", answers) == 3
    assert ev("string-length(${m})", answers) == 3


def test_current_value_in_constraints():
    expr = parse(". >= 0 and . <= 10")
    assert expr.uses_current and expr.references == frozenset()
    assert is_true(expr, {}, current=5)
    assert not is_true(expr, {}, current=11)
    assert is_true("count-selected(.) <= 2", {}, current=["a", "b"])
    assert not is_true("count-selected(.) <= 2", {}, current=["a", "b", "c"])
    assert is_true(". = 'yes'", {}, current="yes")


def test_references_are_collected():
    expr = parse("${a} + ${b} > ${a} and selected(${c}, 'x')")
    assert expr.references == frozenset({"a", "b", "c"})
    assert not expr.uses_current


def test_dates_and_today():
    answers = {"d": datetime.date(2026, 3, 1)}
    assert ev("today()") == TODAY
    assert ev("${d} < today()", answers) is True
    assert ev("${d} = '2026-03-01'", answers) is True
    assert ev("${d} > '2026-02-28'", answers) is True
    assert ev("${d} >= date('2026-03-02')", answers) is False
    assert ev("today() - ${d}", answers) == 14
    assert ev(". <= today()", current=datetime.date(2026, 3, 15)) is True
    assert ev(". <= today()", current=datetime.date(2026, 3, 16)) is False
    assert ev("date('2024-01-31')") == datetime.date(2024, 1, 31)
    assert ev("date(${x})", {"x": "not a date"}) == ""
    # today defaults to the real date
    assert evaluate("today()", {}) == datetime.date.today()


def test_functions():
    assert ev("not(true())") is False
    assert ev("not('')") is True
    assert ev("string-length('héllo')") == 5
    assert ev("string-length(${missing})") == 0
    assert ev("number('12.5') + 1") == Decimal("13.5")
    assert ev("number('abc') = number('abc')") is False
    assert ev("int(7.9)") == 7
    assert ev("int(-7.9)") == -7
    assert ev("int('12')") == 12
    assert ev("regex('AB12', '^[A-Z]+[0-9]+$')") is True
    assert ev("regex('ab12', '^[A-Z]+')") is False
    assert ev("if(${n} > 3, 'big', 'small')", {"n": 5}) == "big"
    assert ev("if(${n} > 3, 'big', 'small')", {"n": 1}) == "small"
    assert ev("coalesce(${a}, 'default')", {}) == "default"
    assert ev("coalesce(${a}, 'default')", {"a": "given"}) == "given"
    assert ev("coalesce(${a}, 'default')", {"a": []}) == "default"
    assert ev("true()") is True and ev("false()") is False
    assert ev("\"double\" = 'double'") is True


def test_division_by_zero_is_nan_and_comparisons_are_false():
    assert ev("1 div 0 = 1") is False
    assert ev("1 div 0 > 0") is False
    assert ev("1 div 0 < 0") is False
    assert ev("1 div 0 != 1") is True
    assert ev("5 mod 0 = 0") is False
    assert is_true("1 div 0", {}, today=TODAY) is False
    assert ev("(1 div 0) + 1 = 1") is False


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", False),
        (None, False),
        (0, False),
        ([], False),
        (Decimal("0"), False),
        ("x", True),
        ("no", True),
        (1, True),
        (["a"], True),
        (Decimal("0.1"), True),
        (datetime.date(2020, 1, 1), True),
    ],
)
def test_truthiness(value, expected):
    assert is_true("${v}", {"v": value}) is expected


def test_parse_is_cached_and_reusable():
    assert parse("${a} = 1") is parse("${a} = 1")
    expr = parse("${a} = 1")
    assert is_true(expr, {"a": 1}) and not is_true(expr, {"a": 2})


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("(1 + 2))", "Unexpected ')' at character 8", 7),
        ("1 +", "The expression ends too early at character 4", 3),
        ("${a} = ", "The expression ends too early at character 8", 7),
        ("1 = = 2", "Unexpected '=' at character 5", 4),
        ("'abc", "The text starting with ' at character 1 is never closed", 0),
        ("1 # 2", "Unexpected '#' at character 3", 2),
        ("${1a} = 2", "'${1a}' at character 1 is not a valid reference", 0),
        ("$a = 2", "A reference at character 1 must be written ${name}", 0),
        ("a = 2", "Unexpected word 'a' at character 1", 0),
        ("1 AND 2", "Unexpected word 'AND' at character 3", 2),
        ("1 = 1 and frobnicate(2)", "Unknown function 'frobnicate' at character 11", 10),
        ("not(1, 2)", "Function 'not' at character 1 takes 1 argument, not 2", 0),
        ("selected(${a})", "Function 'selected' at character 1 takes 2 arguments, not 1", 0),
        ("today(1)", "Function 'today' at character 1 takes 0 arguments, not 1", 0),
        ("date('2024-02-30')", "'2024-02-30' at character 6 is not a real date", 5),
        ("regex(., '[a-')", "The pattern '[a-' at character 10 is not a valid regular expression", 9),
        ("", "The expression is empty", None),
    ],
)
def test_syntax_errors(text, message, position):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.message.startswith(message)
    assert info.value.position == position
    assert str(info.value) == info.value.message


def test_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)


def test_length_limit():
    with pytest.raises(ExpressionError, match="too long"):
        parse("1 + " * 600 + "1")


def test_depth_limit():
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("not(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * (MAX_DEPTH + 5) + "1")
    # a long but shallow condition is fine
    parse(" or ".join(f"selected(${{q}}, 'o{i}')" for i in range(40)))
    assert ev("(((((((((1)))))))))") == 1


def test_never_uses_python_eval():
    # things Python would evaluate are syntax errors here
    for text in ("__import__('os')", "1 if 1 else 2", "[1]", "{}", "1 ** 2", "'a' + 'b'.upper()"):
        with pytest.raises(ExpressionError):
            parse(text)


_PIECES = st.sampled_from(
    [
        "${a}",
        "${b}",
        ".",
        "1",
        "2.5",
        "'x'",
        '"y"',
        "(",
        ")",
        ",",
        "+",
        "-",
        "*",
        " div ",
        " mod ",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        " and ",
        " or ",
        "not(",
        "selected(",
        "count-selected(",
        "if(",
        "today()",
        "date(",
        "regex(",
        "$",
        "'",
        "#",
        "foo(",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12))
def test_any_input_either_parses_and_evaluates_or_raises_expression_error(pieces):
    text = "".join(pieces)
    try:
        expr = parse(text)
    except ExpressionError as exc:
        assert exc.message
        return
    for answers in ({}, {"a": ["x", "y"], "b": 0}, {"a": "3", "b": datetime.date(2020, 1, 1)}):
        is_true(expr, answers, current=Decimal("2"), today=TODAY)

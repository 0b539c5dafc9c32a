"""The guided condition builder: rules (question, comparison, value) joined by "all of" or "any of",
written as the engine's XLSForm expression, and read back from an expression the builder wrote.

An expression the builder cannot read back (typed in the advanced box: brackets, arithmetic, functions
other than selected and not) gives None, and stays in the box as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext

COMPARISONS = {
    "=": lazy_gettext("is"),
    "!=": lazy_gettext("is not"),
    "<": lazy_gettext("is less than"),
    "<=": lazy_gettext("is at most"),
    ">": lazy_gettext("is more than"),
    ">=": lazy_gettext("is at least"),
    "selected": lazy_gettext("includes"),
    "not_selected": lazy_gettext("does not include"),
    "answered": lazy_gettext("is answered"),
    "not_answered": lazy_gettext("is not answered"),
}
NO_VALUE = {"answered", "not_answered"}
JOINS = {"and": lazy_gettext("All of these"), "or": lazy_gettext("Any of these")}
_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
_NAME = r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}"
_VALUE = r"(?P<value>'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?)"
_RULES = [
    (re.compile(rf"not\(selected\({_NAME},\s*{_VALUE}\)\)\Z"), "not_selected"),
    (re.compile(rf"selected\({_NAME},\s*{_VALUE}\)\Z"), "selected"),
    (re.compile(rf"{_NAME}\s*!=\s*''\Z"), "answered"),
    (re.compile(rf"{_NAME}\s*=\s*''\Z"), "not_answered"),
    (re.compile(rf"{_NAME}\s*(?P<op><=|>=|!=|=|<|>)\s*{_VALUE}\Z"), None),
]


class BuilderError(ValueError):
    """A rule that cannot be written; str() says why."""


@dataclass(frozen=True)
class Rule:
    question: str
    comparison: str
    value: str = ""


def _literal(value: str, numeric: bool) -> str:
    if numeric and _NUMBER.match(value.strip()):
        return value.strip()
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise BuilderError(gettext("A value cannot contain both ' and \" quotes"))


def rule_expression(rule: Rule, numeric: bool = False) -> str:
    ref = "${" + rule.question + "}"
    if rule.comparison not in COMPARISONS:
        raise BuilderError(gettext("Unknown comparison '%(comparison)s'", comparison=rule.comparison))
    if rule.comparison == "answered":
        return f"{ref} != ''"
    if rule.comparison == "not_answered":
        return f"{ref} = ''"
    if rule.value == "":
        raise BuilderError(gettext("Enter a value to compare the answer with"))
    if rule.comparison == "selected":
        return f"selected({ref}, {_literal(rule.value, False)})"
    if rule.comparison == "not_selected":
        return f"not(selected({ref}, {_literal(rule.value, False)}))"
    return f"{ref} {rule.comparison} {_literal(rule.value, numeric)}"


def build_expression(rules: list[Rule], join: str = "and", numeric: frozenset[str] = frozenset()) -> str:
    """The expression for the rules: `numeric` names the questions whose answers are numbers
    (a number typed for them is compared as a number, not as text)."""
    if join not in JOINS:
        raise BuilderError(gettext("Choose all of these or any of these"))
    return f" {join} ".join(rule_expression(rule, rule.question in numeric) for rule in rules)


def _unquote(value: str) -> str:
    return value[1:-1] if value[:1] in ("'", '"') else value


def read_expression(text: str) -> tuple[list[Rule], str] | None:
    """(rules, join) for an expression the builder could have written; None for anything else."""
    text = (text or "").strip()
    if not text:
        return [], "and"
    if "'" in text or '"' in text:
        # " and "/" or " inside a quoted value would split wrongly: take quoted values out first
        quoted = re.findall(r"'[^']*'|\"[^\"]*\"", text)
        masked = re.sub(r"'[^']*'|\"[^\"]*\"", "\0", text)
    else:
        quoted, masked = [], text
    joins = set(re.findall(r"\s(and|or)\s", masked))
    if len(joins) > 1:
        return None
    join = joins.pop() if joins else "and"
    rules = []
    for part in re.split(rf"\s{join}\s", masked):
        for _ in range(part.count("\0")):
            part = part.replace("\0", quoted.pop(0), 1)
        rule = _read_rule(part.strip())
        if rule is None:
            return None
        rules.append(rule)
    return rules, join


def _read_rule(text: str) -> Rule | None:
    for pattern, comparison in _RULES:
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            return Rule(
                groups["name"],
                comparison or groups["op"],
                _unquote(groups["value"]) if groups.get("value") is not None else "",
            )
    return None

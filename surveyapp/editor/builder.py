"""The guided condition builder on the page and question forms: its rows from a condition, and its rules
written into the condition box (services.condition_builder does the writing and reading)."""

from __future__ import annotations

from flask_babel import gettext

from ..questionnaires import types
from ..services.condition_builder import COMPARISONS, JOINS, BuilderError, Rule, build_expression, read_expression
from .forms import BUILDER_ROWS


def _as_rows(relevant: str | None):
    """(rules, join) when the builder's rows can show the condition; None for one typed by hand or with more
    rules than the rows (writing the rows would then drop some)."""
    read = read_expression(relevant or "")
    if read is None or len(read[0]) > BUILDER_ROWS:
        return None
    return read


def builder_data(relevant: str | None) -> dict:
    """The builder's rows for a condition it can show (none for one typed by hand)."""
    read = _as_rows(relevant)
    if read is None:
        return {}
    rules, join = read
    data = {"rule_join": join}
    for n, rule in enumerate(rules, start=1):
        data.update({f"rule_question_{n}": rule.question, f"rule_comparison_{n}": rule.comparison})
        data[f"rule_value_{n}"] = rule.value
    return data


def _numeric(question: dict) -> bool:
    declared = types.get(question["type"]) if question.get("type") in types.names() else None
    return declared is not None and declared.storage is not None and declared.storage.is_number


def apply_builder(form, earlier: list[dict]) -> bool:
    """When the builder's button was pressed, write its rules into the condition box; False when a rule is wrong
    (its row then says why, and nothing is saved)."""
    if form.build.data != "rules":
        return True
    names = {q.get("name") for q in earlier}
    rules, ok = [], True
    for n in range(1, BUILDER_ROWS + 1):
        question = getattr(form, f"rule_question_{n}")
        if not question.data:
            continue
        if question.data not in names:
            question.errors = [gettext("Choose a question that comes before this one (rule %(number)s)", number=n)]
            ok = False
            continue
        rule = Rule(
            question.data,
            getattr(form, f"rule_comparison_{n}").data or "=",
            getattr(form, f"rule_value_{n}").data or "",
        )
        try:
            build_expression([rule])
        except BuilderError as exc:
            getattr(form, f"rule_value_{n}").errors = [gettext("%(problem)s (rule %(number)s)", problem=exc, number=n)]
            ok = False
            continue
        rules.append(rule)
    if ok:
        numeric = frozenset(q["name"] for q in earlier if _numeric(q))
        form.relevant.data = build_expression(rules, form.rule_join.data or "and", numeric)
    return ok


def builder_context(form, earlier: list[dict]) -> dict:
    return {
        "rows": range(1, BUILDER_ROWS + 1),
        "comparisons": COMPARISONS,
        "joins": JOINS,
        "hand_typed": bool(form.relevant.data) and _as_rows(form.relevant.data) is None,
        "earlier": earlier,
    }

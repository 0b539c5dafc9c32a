"""The figures a report back section can hold, computed through analysis/figures.py under the survey's policy.

Each figure is a plain dict (JSON), the same whether live or frozen at finalising:
{"kind", "title", "headers", "rows" (text cells, as shown), "chart" (a Plotly figure
as a dict, or None), "rule" (the disclosure rule in force), "notes"}. Charts and
their tables come from the same shown figures, so a chart never shows what its
table hides.
"""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import Session

from ..models import Survey
from . import charts, figures, queries
from .disclosure import SUPPRESSED, Disclosure, display

FIGURE_CHOICES = [
    ("", lazy_gettext("No figure")),
    ("response_rate", lazy_gettext("Response rate with its %(level)s%% interval", level=95)),
    ("rate_by_area", lazy_gettext("Response rate by a contact attribute (for example area)")),
    ("question", lazy_gettext("A question's results")),
    ("crosstab", lazy_gettext("A question by a contact attribute (cross-tab)")),
]


class FigureError(ValueError):
    """The section's figure cannot be made (a question or attribute that the survey does not have)."""


def _pct(value) -> str:
    return gettext("suppressed") if value == SUPPRESSED else ("–" if value is None else f"{display(value)}%")


def _cell(value) -> str:
    return gettext("suppressed") if value == SUPPRESSED else display(value)


def _ci(ci) -> str:
    return gettext("%(low)s%% to %(high)s%%", low=ci[0], high=ci[1]) if isinstance(ci, list) else "–"


def _unit(unit: str | None) -> str:
    labels = {"day": gettext("day"), "week": gettext("week"), "month": gettext("month")}
    return labels.get(unit or "day", unit)


def _filters(params: dict) -> queries.Filters:
    attr = params.get("attr") or None
    value = params.get("value") or None
    return queries.Filters(attribute=attr, values=(value,) if attr and value else ())


def section_figure(
    session: Session,
    survey: Survey,
    kind: str,
    params: dict | None,
    d: Disclosure | None = None,
    cache: dict | None = None,
) -> dict:
    """The figure of one section as shown under the survey's disclosure policy.

    `cache` (one dict per page) keeps aggregates that several sections share, so a
    sheet with six questions' results groups the answers once, not six times.
    """
    d = d or Disclosure.for_survey(survey)
    params = params or {}
    cache = {} if cache is None else cache

    def cached(key, make):
        if key not in cache:
            cache[key] = make()
        return cache[key]

    attributes = cached(("attributes", survey.id), lambda: queries.attribute_names(session, survey.id))
    base = {"kind": kind, "rule": d.rule_text(), "notes": []}
    if kind == "response_rate":
        funnel = figures.funnel_figures(session, survey, d)
        rows = [
            [gettext("Invited"), _cell(funnel["invited"])],
            [gettext("Emails sent"), _cell(funnel["emailed"])],
            [gettext("Completed (by personal link)"), _cell(funnel["completed"])],
            [gettext("Response rate"), _pct(funnel["response_rate"])],
            [gettext("95%% confidence interval") % {}, _ci(funnel["response_rate_ci"])],
        ]
        chart = charts.to_plain(charts.funnel_chart(funnel)) if funnel["invited"] else None
        return {
            **base,
            "title": gettext("Response rate"),
            "headers": [gettext("Figure"), gettext("Value")],
            "rows": rows,
            "chart": chart,
        }
    if kind == "rate_by_area":
        by = params.get("by")
        if by not in attributes:
            raise FigureError(gettext("Choose a contact attribute the survey's invitations have"))
        breakdown = figures.breakdown_figures(session, survey, d, by)
        rows = [
            [
                r["segment_label"],
                _cell(r["invited"]),
                _cell(r["completed"]),
                _pct(r["response_rate"]),
                _ci(r["response_rate_ci"]),
                gettext("Under-represented") if r["under_represented"] else "–",
            ]
            for r in breakdown
        ]
        chart = charts.to_plain(charts.segment_rates(breakdown, by)) if breakdown else None
        return {
            **base,
            "title": gettext("Response rate by %(attribute)s", attribute=by),
            "headers": [
                by,
                gettext("Invited"),
                gettext("Completed"),
                gettext("Response rate"),
                gettext("95%% interval") % {},
                gettext("Note"),
            ],
            "rows": rows,
            "chart": chart,
        }
    catalogue = cached(("catalogue", survey.id), lambda: queries.question_catalogue(session, survey.id))
    question = next((q for q in catalogue if q.name == params.get("question")), None)
    if kind == "question":
        if question is None:
            raise FigureError(gettext("Choose a question of the survey"))
        filters = _filters(params)
        if filters.attribute and filters.attribute not in attributes:
            raise FigureError(gettext("Choose a contact attribute the survey's invitations have"))
        _, _, results = cached(
            ("results", survey.id, filters), lambda: figures.question_results(session, survey, d, filters)
        )
        result = next(r for r in results if r.name == question.name)
        title = result.label + (f" ({filters.attribute}: {filters.values[0]})" if filters.active else "")
        notes = [gettext("Answered by %(count)s.", count=_cell(result.answered))]
        if result.kind in ("choice", "likert"):
            rows = [[r["label"], _cell(r["count"]), _pct(r["percent"])] for r in result.rows]
            headers = [gettext("Answer"), gettext("Count"), gettext("%% of those who answered") % {}]
        elif result.kind == "number":
            rows = [[b["label"], _cell(b["count"])] for b in result.bins]
            headers = [gettext("Value"), gettext("Count")]
            s = result.summary
            notes.append(
                gettext(
                    "Median %(median)s, quartiles %(q1)s to %(q3)s.",
                    median=_cell(s.get("median")),
                    q1=_cell(s.get("q1")),
                    q3=_cell(s.get("q3")),
                )
            )
        elif result.kind == "rank":
            rows = [[r["label"], _cell(r["mean"]), _cell(r["count"])] for r in result.rows]
            headers = [gettext("Option"), gettext("Mean position (1 = first)"), gettext("Answers")]
        elif result.kind == "date":
            rows = [[b["label"], _cell(b["count"])] for b in result.bins]
            headers = [_unit(result.unit), gettext("Count")]
        else:
            raise FigureError(gettext("Free-text questions have no figure: quote them in the narrative instead"))
        fig = charts.question_chart(result)
        return {
            **base,
            "title": title,
            "headers": headers,
            "rows": rows,
            "chart": charts.to_plain(fig) if fig else None,
            "notes": notes,
        }
    if kind == "crosstab":
        by = params.get("by")
        if question is None or not question.choices:
            raise FigureError(gettext("Choose a question with answers to choose from"))
        if by not in attributes and by != "collection_mode":
            raise FigureError(gettext("Choose a contact attribute the survey's invitations have"))
        table = figures.cross_tab_figures(session, survey, d, question, by)
        headers = [gettext("Answer"), *[f"{s['segment_label']} ({_cell(s['total'])})" for s in table["segments"]]]
        rows = [
            [row["label"], *[f"{_cell(c['count'])} ({_pct(c['percent'])})" for c in row["cells"]]]
            for row in table["rows"]
        ]
        chart = charts.to_plain(charts.cross_tab_chart(table)) if table["segments"] else None
        return {
            **base,
            "title": gettext("%(question)s, by %(attribute)s", question=question.label, attribute=by),
            "headers": headers,
            "rows": rows,
            "chart": chart,
        }
    raise FigureError(gettext("Choose a kind of figure"))

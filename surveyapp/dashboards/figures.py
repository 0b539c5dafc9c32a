"""The figures people see: SQL aggregates from queries.py with disclosure control applied.

The dashboard pages, the printable report, the exports for publication and the
JSON API all take their numbers from here, so disclosure control is applied in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..models import Survey
from . import queries, stats
from .disclosure import SUPPRESSED, Disclosure

# A segment is flagged as under-represented when its share of respondents is
# less than this fraction of its share of the people invited (see docs/dashboards.md).
UNDER_REPRESENTED_RATIO = 0.8


def _rate(d: Disclosure, completed: int, invited: int) -> dict:
    rate = d.percent(completed, invited)
    # From the counts as shown (rounded under disclosure control), like every percentage.
    interval = stats.wilson_interval(d.rounded(completed), d.rounded(invited)) if invited else None
    if interval is None or rate == SUPPRESSED or rate is None:
        ci = None if interval is None else SUPPRESSED
    else:
        ci = [round(100 * interval[0], 1), round(100 * interval[1], 1)]
    return {"response_rate": rate, "response_rate_ci": ci}


def funnel_figures(session: Session, survey: Survey, d: Disclosure, segments: list[dict] | None = None) -> dict:
    """The funnel with rates and the response rate's 95% Wilson interval (from breakdown rows when given)."""
    raw = queries.funnel(session, survey.id, [s["_raw"] for s in segments] if segments else None)
    shown = {key: d.count(value) for key, value in raw.items()}
    shown.update(_rate(d, raw["completed"], raw["invited"]))
    shown["rates"] = {step: d.percent(raw[step], raw["invited"]) for step in queries.FUNNEL_STEPS[1:]}
    shown["_raw"] = raw
    return shown


def breakdown_figures(session: Session, survey: Survey, d: Disclosure, attribute: str) -> list[dict]:
    """The funnel per segment of a contact attribute, with representativeness."""
    rows = queries.funnel_by_attribute(session, survey.id, attribute)
    invited_total = sum(r["invited"] for r in rows)
    completed_total = sum(r["completed"] for r in rows)
    out = []
    for r in rows:
        share_invited = r["invited"] / invited_total if invited_total else 0.0
        share_respondents = r["completed"] / completed_total if completed_total else 0.0
        ratio = share_respondents / share_invited if share_invited else None
        shown_ratio = None
        if ratio is not None and d.rounded(invited_total) and d.rounded(r["invited"]) and d.rounded(completed_total):
            # As shown: from the rounded counts under disclosure control (exact ones would give them away).
            shown_ratio = (d.rounded(r["completed"]) / d.rounded(completed_total)) / (
                d.rounded(r["invited"]) / d.rounded(invited_total)
            )
        item = {
            "segment": r["segment"],
            **{k: d.count(v) for k, v in r.items() if k != "segment"},
            **_rate(d, r["completed"], r["invited"]),
            "share_of_invited": d.percent(r["invited"], invited_total),
            "share_of_respondents": d.percent(r["completed"], completed_total) if completed_total else None,
            # The ratio would give a suppressed count away: it follows the count's suppression.
            "representation_ratio": None if shown_ratio is None else d.statistic(shown_ratio, r["completed"], 2),
            "under_represented": bool(completed_total and ratio is not None and ratio < UNDER_REPRESENTED_RATIO),
            "_raw": r,
        }
        out.append(item)
    return out


@dataclass
class QuestionResult:
    name: str
    qtype: str
    label: str
    kind: str  # choice, likert, number, date, text
    answered: int | str | None
    answered_raw: int
    rows: list[dict] = field(default_factory=list)  # choice: value, label, count, percent
    summary: dict = field(default_factory=dict)  # numbers: n, mean, min, q1, median, q3, max
    bins: list[dict] = field(default_factory=list)  # numbers and dates: start, end, label, count
    unit: str | None = None  # dates: day, week or month

    def as_json(self) -> dict:
        data = {"name": self.name, "type": self.qtype, "label": self.label, "answered": self.answered}
        if self.kind in ("choice", "likert"):
            data["choices"] = [{k: r[k] for k in ("value", "label", "count", "percent")} for r in self.rows]
        if self.kind == "number":
            data["summary"] = self.summary
            data["histogram"] = [{k: b[k] for k in ("start", "end", "count")} for b in self.bins]
        if self.kind == "date":
            data["unit"] = self.unit
            data["histogram"] = [{"period": b["start"], "count": b["count"]} for b in self.bins]
        return data


def _kind(qtype: str) -> str:
    return queries.results_kind(qtype)  # declared with the type (questionnaires/types.py)


def _number_label(start: float, end: float) -> str:
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:.1f}"

    return fmt(start) if start == end else f"{fmt(start)}–{fmt(end)}"


def question_results(
    session: Session, survey: Survey, d: Disclosure, filters: queries.Filters = queries.Filters()
) -> tuple[int | str, int, list[QuestionResult]]:
    """(respondents shown, respondents exact, one QuestionResult per question) for a filtered set."""
    catalogue = queries.question_catalogue(session, survey.id, filters.version)
    dist = queries.distributions(session, survey.id, filters)
    results = []
    for info in catalogue:
        kind = _kind(info.qtype)
        answered = dist.answered.get(info.name, 0)
        result = QuestionResult(info.name, info.qtype, info.label, kind, d.count(answered), answered)
        if kind in ("choice", "likert"):
            counts = dist.choices.get(info.name, {})
            result.rows = [
                {
                    "value": value,
                    "label": label,
                    "count": d.count(counts.get(value, 0)),
                    "count_raw": counts.get(value, 0),
                    "percent": d.percent(counts.get(value, 0), answered),
                }
                for value, label in info.choices
            ]
        elif kind == "number":
            freq = dist.numbers.get(info.name, [])
            summary = stats.summary(freq)
            result.summary = {
                "n": d.count(summary["n"]),
                **{k: d.statistic(summary[k], summary["n"], 2) for k in ("mean", "min", "q1", "median", "q3", "max")},
            }
            if d.enabled and summary["n"]:
                # The extremes are single people's answers: never published under disclosure control.
                result.summary["min"] = result.summary["max"] = SUPPRESSED
            result.bins = [
                {"start": a, "end": b, "label": _number_label(a, b), "count": d.count(c), "count_raw": c}
                for a, b, c in stats.number_bins(freq)
            ]
        elif kind == "date":
            unit, periods = stats.date_bins(dist.dates.get(info.name, []))
            result.unit = unit
            result.bins = [{"start": p, "end": p, "label": p, "count": d.count(c), "count_raw": c} for p, c in periods]
        results.append(result)
    return d.count(dist.respondents), dist.respondents, results


def cross_tab_figures(
    session: Session,
    survey: Survey,
    d: Disclosure,
    question: queries.QuestionInfo,
    by: str,
    filters: queries.Filters = queries.Filters(),
) -> dict:
    """A choice question by segment: counts and column percentages, disclosure-controlled."""
    table, totals = queries.cross_tab(session, survey.id, question.name, by, filters)
    segments = sorted(totals)
    return {
        "segments": [{"segment": s, "total": d.count(totals[s]), "total_raw": totals[s]} for s in segments],
        "rows": [
            {
                "value": value,
                "label": label,
                "cells": [
                    {
                        "count": d.count(table.get(s, {}).get(value, 0)),
                        "count_raw": table.get(s, {}).get(value, 0),
                        "percent": d.percent(table.get(s, {}).get(value, 0), totals[s]),
                    }
                    for s in segments
                ],
            }
            for value, label in question.choices
        ],
    }

"""The figures people see: SQL aggregates from queries.py with disclosure control applied.

The dashboard pages, the printable report, the exports for publication and the
JSON API all take their numbers from here, so disclosure control is applied in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy.orm import Session

from ..models import Survey
from . import queries, stats
from .disclosure import SUPPRESSED, Disclosure

# A segment is flagged as under-represented when its share of respondents is
# less than this fraction of its share of the people invited (see docs/dashboards.md).
UNDER_REPRESENTED_RATIO = 0.8


def _rate(d: Disclosure, completed_shown, invited: int) -> dict:
    """A response rate and its 95% Wilson interval, from the completed count as shown (invited is exact)."""
    if completed_shown not in (None, SUPPRESSED) and invited:
        completed_shown = min(int(completed_shown), invited)  # a count rounded up past the invited stays at 100%
    rate = d.percent_of(completed_shown, invited)
    if rate in (None, SUPPRESSED):
        return {"response_rate": rate, "response_rate_ci": None}
    interval = stats.wilson_interval(int(completed_shown), invited)
    return {"response_rate": rate, "response_rate_ci": [round(100 * interval[0], 1), round(100 * interval[1], 1)]}


CONTACT_COUNTS = ("invited", "emailed", "failed", "bounced", "reminded")  # not respondents: never rounded
PEOPLE_COUNTS = ("opened", "started", "completed", "opted_out")


def funnel_figures(session: Session, survey: Survey, d: Disclosure, segments: list[dict] | None = None) -> dict:
    """The funnel with rates and the response rate's 95% Wilson interval (from breakdown rows when given)."""
    raw = queries.funnel(session, survey.id, [s["_raw"] for s in segments] if segments else None)
    shown = {key: (d.contacts(value) if key in CONTACT_COUNTS else d.total(value)) for key, value in raw.items()}
    if segments:
        # Shown beside the breakdown, the totals are the ones its secondary suppression left: a total that
        # would give away a lone hidden segment (one area, one respondent) is hidden with it.
        for key, total in segments[0]["_totals"].items():
            if total == SUPPRESSED:
                shown[key] = SUPPRESSED
    shown.update(_rate(d, shown["completed"], raw["invited"]))
    shown["rates"] = {step: d.percent_of(shown[step], raw["invited"]) for step in queries.FUNNEL_STEPS[1:]}
    shown["_raw"] = raw
    return shown


def segment_labels(session: Session, survey: Survey, attribute: str | None) -> dict[str, str]:
    """Labels for a contact attribute's codes ('east' -> 'East PCT'), from a choice question that lists them.

    A question named like the attribute wins; otherwise the first choice question
    whose choices cover every value the attribute takes.
    """
    if not attribute or attribute == "collection_mode":
        return {}
    catalogue = [q for q in queries.question_catalogue(session, survey.id) if q.choices]
    values = set(queries.attribute_values(session, survey.id, attribute))
    for q in sorted(catalogue, key=lambda q: q.name != attribute):
        labels = dict(q.choices)
        if q.name == attribute or (values and values <= set(labels)):
            return labels
    return {}


def with_label(code: str, labels: dict[str, str]) -> str:
    label = labels.get(code)
    return f"{label} ({code})" if label and label != code else code


def breakdown_figures(session: Session, survey: Survey, d: Disclosure, attribute: str) -> list[dict]:
    """The funnel per segment of a contact attribute, with representativeness.

    Invited and emailed are exact; counts of people are cells of a breakdown, made
    safe against subtraction from the totals shown (secondary suppression). Rates,
    intervals, shares and the under-represented flag follow their count: none is
    worked out for a hidden one.
    """
    rows = queries.funnel_by_attribute(session, survey.id, attribute)
    labels = segment_labels(session, survey, attribute)
    invited_total = sum(r["invited"] for r in rows)
    shown_columns: dict[str, list] = {}
    shown_totals: dict[str, object] = {}
    for key in PEOPLE_COUNTS:
        cells, total = d.protect([d.cell(r[key]) for r in rows], d.total(sum(r[key] for r in rows)))
        shown_columns[key], shown_totals[key] = cells, total
    completed_total = shown_totals["completed"]
    out = []
    for i, r in enumerate(rows):
        completed = shown_columns["completed"][i]
        share_invited = d.percent_of(r["invited"], invited_total)
        share_respondents = d.percent_of(completed, completed_total) if completed_total else None
        ratio = None
        if share_invited and share_respondents not in (None, SUPPRESSED):
            ratio = round(share_respondents / share_invited, 2)
        item = {
            "segment": r["segment"],
            "segment_label": with_label(r["segment"], labels),
            **{k: d.contacts(v) for k, v in r.items() if k in CONTACT_COUNTS},
            **{k: shown_columns[k][i] for k in PEOPLE_COUNTS},
            **_rate(d, completed, r["invited"]),
            "share_of_invited": share_invited,
            "share_of_respondents": share_respondents,
            "representation_ratio": ratio,
            # Never on a hidden count: the flag would say something about it.
            "under_represented": ratio is not None and ratio < UNDER_REPRESENTED_RATIO,
            "_raw": r,
            "_totals": shown_totals,  # the column totals as protected, for the funnel shown beside it
        }
        out.append(item)
    return out


def mode_figures(session: Session, survey: Survey, d: Disclosure) -> list[dict]:
    """Completed, in-progress and voided responses per collection mode, as cells of a breakdown."""
    rows = queries.responses_by_mode(session, survey.id)
    return _segment_table(d, rows, ("completed", "in_progress", "voided"))


def volunteer_figures(session: Session, survey: Survey, d: Disclosure) -> list[dict]:
    """Interviews per volunteer (completed, in progress, declined), as cells of a breakdown."""
    rows = queries.responses_by_volunteer(session, survey.id)
    return _segment_table(d, rows, ("completed", "in_progress", "declined"))


def _segment_table(d: Disclosure, rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    out = [{"segment": r["segment"]} for r in rows]
    for key in keys:
        cells, _ = d.protect([d.cell(r[key]) for r in rows], d.total(sum(r[key] for r in rows)))
        for item, cell in zip(out, cells):
            item[key] = cell
    return out


@dataclass
class QuestionResult:
    name: str
    qtype: str
    label: str
    kind: str  # choice (and time, per hour), likert, number, date, text, rank
    answered: int | str | None
    answered_raw: int
    rows: list[dict] = field(
        default_factory=list
    )  # choice: value, label, count, percent; rank: value, label, mean, count
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
        if self.kind == "rank":
            data["options"] = [{k: r[k] for k in ("value", "label", "mean", "count")} for r in self.rows]
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
    """(respondents shown, respondents exact, one QuestionResult per question) for a filtered set.

    Unfiltered, the respondents are a total; with a filter they are a cell of that
    filter. Each question's "answered" is always a cell (a follow-up question's
    answered count would otherwise give away the choice that led to it). The answers to a question are cells,
    protected against subtraction from its "answered" (multiple choice is not a
    partition: its options are shown as cells without it).
    """
    catalogue = queries.question_catalogue(session, survey.id, filters.version)
    dist = queries.distributions(session, survey.id, filters)
    group = d.cell if filters.active else d.total
    ranks = queries.rank_means(session, survey.id, filters) if any(_kind(i.qtype) == "rank" for i in catalogue) else {}
    results = []
    for info in catalogue:
        kind = _kind(info.qtype)
        answered = dist.answered.get(info.name, 0)
        # How many answered one question is a group of respondents, not a headline total: a follow-up
        # answered by 2 would give away the '*' of the choice that led to it, so it is a cell.
        shown_answered = d.cell(answered)
        result = QuestionResult(info.name, info.qtype, info.label, kind, shown_answered, answered)
        if kind in ("choice", "likert"):
            counts = dist.choices.get(info.name, {})
            cells = [d.cell(counts.get(value, 0)) for value, _ in info.choices]
            if info.qtype != "multiple_choice":
                cells, result.answered = d.protect(cells, shown_answered)
            result.rows = [
                {
                    "value": value,
                    "label": label,
                    "count": cell,
                    "count_raw": counts.get(value, 0),
                    "percent": d.percent_of(cell, result.answered),
                }
                for (value, label), cell in zip(info.choices, cells)
            ]
        elif kind == "number":
            freq = dist.numbers.get(info.name, [])
            summary = stats.summary(freq)
            bins = stats.number_bins(freq)
            cells, result.answered = d.protect([d.cell(c) for _, _, c in bins], shown_answered)
            result.summary = {
                "n": result.answered,
                **{k: d.statistic(summary[k], summary["n"], 2) for k in ("mean", "min", "q1", "median", "q3", "max")},
            }
            if d.active and summary["n"]:
                # The extremes are single people's answers: never published under disclosure control.
                result.summary["min"] = result.summary["max"] = SUPPRESSED
            result.bins = [
                {"start": a, "end": b, "label": _number_label(a, b), "count": cell, "count_raw": c}
                for (a, b, c), cell in zip(bins, cells)
            ]
        elif kind == "rank":
            means = ranks.get(info.name, {})
            result.rows = [
                {
                    "value": value,
                    "label": label,
                    "mean": d.statistic(means[value][0], means[value][1], 2) if value in means else None,
                    "count": d.cell(means.get(value, (0, 0))[1]),
                    "count_raw": means.get(value, (0, 0))[1],
                }
                for value, label in info.choices
            ]
        elif kind == "time":
            result.kind = "choice"  # the hours of the day are shown as a choice question's options are
            result.rows = _hour_rows(d, dist.hours.get(info.name, {}), result)
        elif kind == "date":
            unit, periods = stats.date_bins(dist.dates.get(info.name, []))
            cells, result.answered = d.protect([d.cell(c) for _, c in periods], shown_answered)
            result.unit = unit
            result.bins = [
                {"start": p, "end": p, "label": p, "count": cell, "count_raw": c}
                for (p, c), cell in zip(periods, cells)
            ]
        results.append(result)
    return group(dist.respondents), dist.respondents, results


def _hour_rows(d: Disclosure, counts: dict[int, int], result: QuestionResult) -> list[dict]:
    """A time question's answers per hour of the day, from the first hour anyone gave to the last (one answer
    per respondent, so the hours partition those who answered and are protected like one choice's options)."""
    if not counts:
        return []
    hours = range(min(counts), max(counts) + 1)
    cells, result.answered = d.protect([d.cell(counts.get(hour, 0)) for hour in hours], result.answered)
    return [
        {
            "value": f"{hour:02d}",
            "label": gettext("%(start)s to %(end)s", start=f"{hour:02d}:00", end=f"{hour:02d}:59"),
            "count": cell,
            "count_raw": counts.get(hour, 0),
            "percent": d.percent_of(cell, result.answered),
        }
        for hour, cell in zip(hours, cells)
    ]


def cross_tab_figures(
    session: Session,
    survey: Survey,
    d: Disclosure,
    question: queries.QuestionInfo,
    by: str,
    filters: queries.Filters = queries.Filters(),
) -> dict:
    """A choice question by segment: counts and column percentages, disclosure-controlled.

    Every cell is a cell of a breakdown. For a single-answer question each
    segment's column adds up to its total and each answer's row to the answer's
    count on the results page, so both are protected against subtraction
    (repeated until neither changes anything).
    """
    table, totals = queries.cross_tab(session, survey.id, question.name, by, filters)
    labels = segment_labels(session, survey, by)
    segments = sorted(totals)
    values = [value for value, _ in question.choices]
    grid = [[d.cell(table.get(s, {}).get(v, 0)) for s in segments] for v in values]
    seg_totals = [d.cell(totals[s]) for s in segments]
    if question.qtype != "multiple_choice" and segments:
        answered_all = sum(totals.values())
        group = d.cell if filters.active else d.total
        for _ in range(2 * (len(values) + len(segments)) + 2):
            before = [row[:] for row in grid], seg_totals[:]
            seg_totals, _ = d.protect(seg_totals, group(answered_all))
            for j in range(len(segments)):
                column, seg_totals[j] = d.protect([grid[i][j] for i in range(len(values))], seg_totals[j])
                for i in range(len(values)):
                    grid[i][j] = column[i]
            for i, v in enumerate(values):
                row_total = sum(table.get(s, {}).get(v, 0) for s in segments)
                grid[i], _ = d.protect(grid[i], d.cell(row_total))
            if (grid, seg_totals) == before:
                break
    return {
        "segments": [
            {"segment": s, "segment_label": with_label(s, labels), "total": t, "total_raw": totals[s]}
            for s, t in zip(segments, seg_totals)
        ],
        "rows": [
            {
                "value": value,
                "label": label,
                "cells": [
                    {
                        "count": grid[i][j],
                        "count_raw": table.get(s, {}).get(value, 0),
                        "percent": d.percent_of(grid[i][j], seg_totals[j]),
                    }
                    for j, s in enumerate(segments)
                ],
            }
            for i, (value, label) in enumerate(question.choices)
        ],
    }


def text_group(session: Session, survey: Survey, name: str, filters: queries.Filters = queries.Filters()) -> int:
    """How many people of a (filtered) group answered a free-text question: the group its answers belong to."""
    return queries.free_text(session, survey.id, name, filters, limit=0)[0]


def text_samples(
    session: Session,
    d: Disclosure,
    survey: Survey,
    results: list[QuestionResult],
    per_question: int,
    filters: queries.Filters = queries.Filters(),
) -> dict[str, list[str]]:
    """Newest answers of each text question whose group of answerers is large enough to show them."""
    names = [r.name for r in results if r.kind == "text" and d.shows_free_text(r.answered_raw)]
    return queries.text_questions_sample(session, survey.id, names, per_question, filters) if names else {}

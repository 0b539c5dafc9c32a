"""Exports: responses as CSV or XLSX (one row per response), a codebook, and disclosure-controlled aggregates.

The response table is pivoted in SQL (one MAX(CASE ...) column per question or
option, GROUP BY response), so Python only formats the rows as they stream out.
No export ever contains a contact's email address or name.

Spreadsheet formula injection: every text cell, headers included, that starts
with = + - @ tab or carriage return gets a leading apostrophe; numbers are
written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl import Workbook
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ..models import Answer, Choice, ContactAttribute, Invitation, Question, Response, Survey, SurveyVersion
from ..questionnaires import types
from ..questionnaires.definition import Questionnaire
from ..spreadsheet_cells import neutralise
from . import figures, queries
from .disclosure import Disclosure


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # meta, attribute, or how the question's type is exported (types.EXPORT_*)
    question: str | None = None
    option: str | None = None


def columns_for(session: Session, survey: Survey, version: int | None = None) -> list[Column]:
    cols = [
        Column("response_id", "meta"),
        Column("version", "meta"),
        Column("collection_mode", "meta"),
        Column("submitted_at", "meta"),
    ]
    cols += [Column(f"attr:{name}", "attribute", option=name) for name in queries.attribute_names(session, survey.id)]
    for q in queries.question_catalogue(session, survey.id, version):
        declared = queries.declared(q.qtype)
        export = declared.export if declared is not None else types.EXPORT_TEXT
        if export in (types.EXPORT_OPTIONS, types.EXPORT_RANK):
            cols += [Column(f"{q.name}.{value}", export, q.name, value) for value, _ in q.choices]
        elif export != types.EXPORT_NONE:
            cols.append(Column(q.name, export, q.name))
    return cols


def _pivot_query(survey: Survey, cols: list[Column], labels: bool, filters: queries.Filters):
    selected = [Response.id, SurveyVersion.number, Response.collection_mode, Response.submitted_at]
    for col in cols:
        if col.kind == "attribute":
            selected.append(
                select(ContactAttribute.value)
                .join(Invitation, Invitation.contact_id == ContactAttribute.contact_id)
                .where(Invitation.id == Response.invitation_id, ContactAttribute.name == col.option)
                .correlate(Response)
                .scalar_subquery()
            )
        elif col.kind == types.EXPORT_OPTIONS:
            answered = func.max(case((Question.name == col.question, 1), else_=None))
            ticked = func.max(case((and_(Question.name == col.question, Choice.value == col.option), 1), else_=0))
            selected.append(case((answered.is_(None), None), else_=ticked))
        elif col.kind == types.EXPORT_RANK:  # the option's position (1 = first), empty when not ranked
            placed = and_(Question.name == col.question, Choice.value == col.option)
            selected.append(func.max(case((placed, Answer.value_number))))
        elif col.kind == types.EXPORT_CHOICE:
            selected.append(func.max(case((Question.name == col.question, Choice.label if labels else Choice.value))))
        elif col.kind == types.EXPORT_NUMBER:
            selected.append(func.max(case((Question.name == col.question, Answer.value_number))))
        elif col.kind == types.EXPORT_DATE:
            selected.append(func.max(case((Question.name == col.question, Answer.value_date))))
        elif col.kind == types.EXPORT_TEXT:
            selected.append(func.max(case((Question.name == col.question, Answer.value_text))))
    return (
        select(*selected)
        .select_from(Response)
        .join(SurveyVersion, SurveyVersion.id == Response.version_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .outerjoin(Question, Question.id == Answer.question_id)
        .outerjoin(Choice, Choice.id == Answer.choice_id)
        .where(*filters.conditions(survey.id))
        .group_by(Response.id, SurveyVersion.number, Response.collection_mode, Response.submitted_at)
        .order_by(Response.id)
    )


def _cell(value):
    if isinstance(value, datetime):  # UTC (naive ones come from SQLite and are UTC too)
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def response_rows(
    session: Session, survey: Survey, labels: bool = False, filters: queries.Filters = queries.Filters()
) -> tuple[list[str], Iterator[list]]:
    """(headers, rows) of completed, non-voided responses: neutralised, ready for csv or openpyxl."""
    cols = columns_for(session, survey, filters.version)
    headers = [neutralise(c.header) for c in cols]
    result = session.execute(_pivot_query(survey, cols, labels, filters).execution_options(yield_per=2000))

    def rows() -> Iterator[list]:
        for row in result:
            yield [neutralise(_cell(v)) for v in row]

    return headers, rows()


def codebook_rows(session: Session, survey: Survey) -> tuple[list[str], list[list]]:
    """One row per question (per version that has it) and one per choice: names, types, labels, conditions."""
    headers = [
        "column",
        "question",
        "version",
        "type",
        "label",
        "page",
        "condition",
        "required",
        "choice_value",
        "choice_label",
    ]
    rows: list[list] = []
    for version in sorted(survey.versions, key=lambda v: v.number, reverse=True):
        questionnaire = Questionnaire.from_dict(version.definition)
        for page in questionnaire.pages:
            for q in page.questions:
                if q.question_type.export == types.EXPORT_NONE:
                    continue
                per_option = q.question_type.export in (types.EXPORT_OPTIONS, types.EXPORT_RANK)
                conditions = " and ".join(f"({c})" for c in (page.relevant, q.relevant) if c)
                rows.append(
                    [
                        "" if per_option else q.name,
                        q.name,
                        version.number,
                        q.type,
                        q.label,
                        page.name,
                        conditions,
                        "yes" if q.required else "no",
                        "",
                        "",
                    ]
                )
                for choice in q.choices or []:
                    column = f"{q.name}.{choice.value}" if per_option else ""
                    rows.append([column, q.name, version.number, q.type, "", "", "", "", choice.value, choice.label])
    return [neutralise(h) for h in headers], [[neutralise(v) for v in row] for row in rows]


def summary_rows(session: Session, survey: Survey) -> tuple[list[str], list[list]]:
    """Aggregates for publication: every count and percentage with disclosure control, always."""
    d = Disclosure.for_survey(survey)
    respondents, _, results = figures.question_results(session, survey, d)
    headers = [
        "question",
        "label",
        "type",
        "answered",
        "choice_value",
        "choice_label",
        "count",
        "percent",
        "statistic",
        "value",
    ]
    rows: list[list] = [["", "respondents", "", respondents, "", "", "", "", "", ""]]
    for r in results:
        if r.kind in ("choice", "likert"):
            for row in r.rows:
                rows.append(
                    [
                        r.name,
                        r.label,
                        r.qtype,
                        r.answered,
                        row["value"],
                        row["label"],
                        row["count"],
                        row["percent"],
                        "",
                        "",
                    ]
                )
        elif r.kind == "rank":  # each option's mean position (1 = first)
            for row in r.rows:
                rows.append(
                    [
                        r.name,
                        r.label,
                        r.qtype,
                        r.answered,
                        row["value"],
                        row["label"],
                        row["count"],
                        "",
                        "mean position",
                        row["mean"],
                    ]
                )
        elif r.kind == "number":
            for key in ("n", "mean", "q1", "median", "q3"):
                rows.append([r.name, r.label, r.qtype, r.answered, "", "", "", "", key, r.summary.get(key)])
        else:
            rows.append([r.name, r.label, r.qtype, r.answered, "", "", "", "", "", ""])
    return [neutralise(h) for h in headers], [[neutralise(v) for v in row] for row in rows]


def csv_lines(headers: list, rows: Iterable[list], chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks (for a streamed response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for i, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else v for v in row])
        if i % chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list, Iterable[list]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); text cells are already neutralised."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

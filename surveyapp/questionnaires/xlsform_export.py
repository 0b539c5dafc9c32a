"""A questionnaire as XLSForm sheets (rows of text), for the workbook writer in services/xlsform.py.

Each page is a `begin group` with `appearance: field-list` (one page, as ODK shows it); keys XLSForm has
no column for go in the extra columns of xlsform_columns.py, so `read_xlsform` of the written workbook
gives the same questionnaire back. Values are text exactly as the definition holds them; guarding cells
against spreadsheet formulas is the writer's job.

Plain Python: no Flask, no database.
"""

from __future__ import annotations

from typing import Any

from .definition import Questionnaire
from .xlsform_columns import (
    EXTENSION_COLUMNS,
    EXTRA_SETTINGS,
    LIKERT_APPEARANCE,
    MULTILINE_APPEARANCE,
    PAGE_NAME_COLUMN,
    YES_NO_CHOICES,
    YES_NO_LIST,
)

SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "parameters",
    *EXTENSION_COLUMNS,
    PAGE_NAME_COLUMN,
)
CHOICES_COLUMNS = ("list_name", "name", "label")
_PLAIN_TYPES = {"short_text": "text", "long_text": "text", "integer": "integer", "decimal": "decimal"}
_PLAIN_TYPES |= {"date": "date", "note": "note"}
_SELECT_TYPES = {"single_choice": "select_one", "likert": "select_one", "multiple_choice": "select_multiple"}


class XLSFormExportError(ValueError):
    """A questionnaire with a question type XLSForm cannot express; str() names the questions."""


def xlsform_sheets(questionnaire: Questionnaire, version: int | None = None) -> list[tuple[str, list[list]]]:
    """[(sheet name, rows)] for survey, choices and settings; the first row of each is its header."""
    data = questionnaire.to_dict()
    lists: dict[str, list[tuple[str, str]]] = {}
    survey_rows: list[dict[str, Any]] = []
    refused = []
    question_names = {q.name for q in questionnaire.all_questions()}
    taken = set(question_names)
    for page in data["pages"]:
        # XLSForm names groups and questions alike, so a page named as a question gets another group name
        group = page["name"]
        number = 2
        while group in taken:
            group, number = f"{page['name']}_page{'' if number == 2 else number}", number + 1
        taken.add(group)
        survey_rows.append(
            {
                "type": "begin group",
                "name": group,
                "label": page["title"],
                "appearance": "field-list",
                "relevant": page.get("relevant"),
                PAGE_NAME_COLUMN: page["name"] if group != page["name"] else None,
            }
        )
        for question in page["questions"]:
            row = _question_row(question, lists, question_names)
            if row is None:
                refused.append(f"'{question['name']}' ({question['type']})")
                continue
            survey_rows.append(row)
        survey_rows.append({"type": "end group", "name": group})
    if refused:
        raise XLSFormExportError(
            "XLSForm has no question type for " + ", ".join(refused) + ": these questions cannot be exported"
        )
    used = [c for c in SURVEY_COLUMNS if any(row.get(c) not in (None, "") for row in survey_rows)]
    survey = [list(used)] + [[_cell(row.get(c)) for c in used] for row in survey_rows]
    choices = [list(CHOICES_COLUMNS)] + [
        [name, value, label] for name, items in lists.items() for value, label in items
    ]
    settings = _settings(data, version)
    return [("survey", survey), ("choices", choices), ("settings", [list(settings), list(settings.values())])]


def _question_row(question: dict, lists: dict, question_names: set[str]) -> dict | None:
    qtype = question["type"]
    row: dict[str, Any] = {key: question.get(key) for key in SURVEY_COLUMNS if key not in ("type", "appearance")}
    if question.get("required") or question.get("consent"):
        row["required"] = "yes"
    if question.get("consent"):
        row["consent"] = "yes"
    if qtype in _PLAIN_TYPES:
        row["type"] = _PLAIN_TYPES[qtype]
        if qtype == "long_text":
            row["appearance"] = MULTILINE_APPEARANCE
    elif qtype in _SELECT_TYPES:
        items = [(c["value"], c["label"]) for c in question["choices"]]
        row["type"] = f"{_SELECT_TYPES[qtype]} {_list_name(question['name'], items, lists, question_names)}"
        if qtype == "likert":
            row["appearance"] = LIKERT_APPEARANCE
    elif qtype == "yes_no":
        lists.setdefault(YES_NO_LIST, list(YES_NO_CHOICES))
        row["type"] = f"select_one {YES_NO_LIST}"
    elif qtype == "rating":
        row["type"] = "range"
        row["parameters"] = f"start={question['min']} end={question['max']} step=1"
        row["min"] = row["max"] = None
    else:
        return None
    return row


def _list_name(name: str, items: list[tuple[str, str]], lists: dict, question_names: set[str]) -> str:
    """The choice list for these options: an identical list already written, else one named after the question."""
    for existing, existing_items in lists.items():
        if existing_items == items and existing != YES_NO_LIST:
            return existing
    candidate, number = name, 2
    while candidate in lists or candidate == YES_NO_LIST:
        candidate, number = f"{name}_{number}", number + 1
    lists[candidate] = items
    return candidate


def _settings(data: dict, version: int | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"form_title": data["title"], "form_id": data["slug"]}
    if version is not None:
        settings["version"] = str(version)
    # texts keep their line breaks and spaces (pyxform would otherwise collapse them)
    settings["clean_text_values"] = "no"
    for key in EXTRA_SETTINGS:
        if data.get(key) is not None:
            settings[key] = data[key]
    for key, value in (data.get("settings") or {}).items():
        settings[key] = _cell(value)
    return settings


def _cell(value) -> str | None:
    if value is None:
        return None
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)

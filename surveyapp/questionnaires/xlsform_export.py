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
from .languages import QUESTION_TEXTS, SETTINGS_TEXTS, xlsform_language
from .messages import Message
from .xlsform_columns import (
    EXTENSION_COLUMNS,
    EXTRA_SETTINGS,
    LIKERT_APPEARANCE,
    MULTILINE_APPEARANCE,
    PAGE_NAME_COLUMN,
    TRANSLATED_TITLE_COLUMN,
    YES_NO_CHOICES,
    YES_NO_LIST,
)

IMAGE_COLUMN = "media::image"
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    IMAGE_COLUMN,
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "choice_filter",
    "default",
    "read_only",
    "appearance",
    "parameters",
    *EXTENSION_COLUMNS,
    PAGE_NAME_COLUMN,
)
CHOICES_COLUMNS = ("list_name", "name", "label")
#: survey-sheet columns that are texts, written once per language (label::Cymraeg (cy)) when there are several
TEXT_COLUMNS = tuple(c for c in SURVEY_COLUMNS if c in QUESTION_TEXTS or c == IMAGE_COLUMN)
_PLAIN_TYPES = {"short_text": "text", "long_text": "text", "integer": "integer", "decimal": "decimal"}
_PLAIN_TYPES |= {"date": "date", "time": "time", "datetime": "dateTime", "hidden": "hidden", "note": "note"}
_SELECT_TYPES = {"single_choice": "select_one", "likert": "select_one", "multiple_choice": "select_multiple"}
_SELECT_TYPES |= {"rank": "rank"}


class XLSFormExportError(ValueError):
    """A questionnaire with a question type XLSForm cannot express; str() names the questions."""


def xlsform_sheets(questionnaire: Questionnaire, version: int | None = None) -> list[tuple[str, list[list]]]:
    """[(sheet name, rows)] for survey, choices and settings; the first row of each is its header."""
    data = questionnaire.to_dict()
    translations = data.get("translations") or {}
    # (code, column suffix) of each language; the default language first. None: plain columns.
    columns = (
        [(lang.code, "::" + xlsform_language(lang)) for lang in questionnaire.languages()] if translations else None
    )
    lists: dict[str, list[tuple]] = {}
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
                "_texts": {"label": ("pages", page["name"], "title")},
                "appearance": "field-list",
                "relevant": page.get("relevant"),
                PAGE_NAME_COLUMN: page["name"] if group != page["name"] else None,
            }
        )
        for question in page["questions"]:
            row = _question_row(question, lists, question_names, translations)
            if row is None:
                refused.append(f"'{question['name']}' ({question['type']})")
                continue
            survey_rows.append(row)
        survey_rows.append({"type": "end group", "name": group})
    if refused:
        raise XLSFormExportError(
            Message(
                "XLSForm has no question type for %(questions)s: these questions cannot be exported",
                questions=", ".join(refused),
            )
        )
    if columns is not None:
        survey_rows = [_in_languages(row, columns, translations) for row in survey_rows]
    order = [c for c in SURVEY_COLUMNS if c not in TEXT_COLUMNS or columns is None]
    if columns is not None:  # each text column once per language, where the plain column was
        order = [
            name
            for c in SURVEY_COLUMNS
            for name in ([c + suffix for _, suffix in columns] if c in TEXT_COLUMNS else [c])
        ]
    used = [c for c in order if any(row.get(c) not in (None, "") for row in survey_rows)]
    survey = [list(used)] + [[_cell(row.get(c)) for c in used] for row in survey_rows]
    # the choices' own columns (for choice filters), after the labels, in the order they first appear
    extra = list(dict.fromkeys(key for items in lists.values() for item in items for key, _ in item[3]))
    if columns is None:
        choices = [[*CHOICES_COLUMNS, *extra]] + [
            [name, item[0], item[1], *(dict(item[3]).get(key) for key in extra)]
            for name, items in lists.items()
            for item in items
        ]
    else:
        choices = [["list_name", "name", *("label" + suffix for _, suffix in columns), *extra]] + [
            [
                name,
                item[0],
                item[1],
                *(dict(item[2]).get(code) for code, _ in columns[1:]),
                *(dict(item[3]).get(key) for key in extra),
            ]
            for name, items in lists.items()
            for item in items
        ]
    settings = _settings(data, version, columns)
    return [("survey", survey), ("choices", choices), ("settings", [list(settings), list(settings.values())])]


def _translated(translations: dict, code: str, path: tuple) -> str | None:
    node: Any = translations.get(code) or {}
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node if isinstance(node, str) else None


def _in_languages(row: dict, columns: list[tuple[str, str]], translations: dict) -> dict:
    """The row with each text column written per language: the default language's text, then each translation's."""
    texts = row.pop("_texts", {})
    result = dict(row)
    for column in TEXT_COLUMNS:
        value = result.pop(column, None)
        path = texts.get(column)
        others = [_translated(translations, code, path) if path else None for code, _ in columns[1:]]
        if value in (None, "") and not any(others):
            continue  # (a translation may have a text the default language has not: an easy-read picture)
        for (_, suffix), text in zip(columns, [value, *others], strict=True):
            result[column + suffix] = text
    return result


def _choice_items(question: dict, translations: dict) -> list[tuple]:
    """(value, label, ((code, label), ...), ((column, text), ...)) of each choice: the translations and the
    choice's own columns take part in telling lists apart."""
    items = []
    for choice in question["choices"]:
        path = ("questions", question["name"], "choices", choice["value"])
        others = tuple((code, _translated(translations, code, path)) for code in translations)
        extra = tuple((k, v) for k, v in choice.items() if k not in ("value", "label"))
        items.append((choice["value"], choice["label"], tuple((c, t) for c, t in others if t), extra))
    return items


def _question_row(question: dict, lists: dict, question_names: set[str], translations: dict) -> dict | None:
    qtype = question["type"]
    row: dict[str, Any] = {key: question.get(key) for key in SURVEY_COLUMNS if key not in ("type", "appearance")}
    row["_texts"] = {key: ("questions", question["name"], key) for key in TEXT_COLUMNS}
    row[IMAGE_COLUMN] = question.get("image")
    row["_texts"][IMAGE_COLUMN] = ("questions", question["name"], "image")
    if question.get("required") or question.get("consent"):
        row["required"] = "yes"
    if question.get("consent"):
        row["consent"] = "yes"
    row["read_only"] = "yes" if question.get("read_only") else None
    if qtype in _PLAIN_TYPES:
        row["type"] = _PLAIN_TYPES[qtype]
        if qtype == "long_text":
            row["appearance"] = MULTILINE_APPEARANCE
    elif qtype in _SELECT_TYPES:
        items = _choice_items(question, translations)
        row["type"] = f"{_SELECT_TYPES[qtype]} {_list_name(question['name'], items, lists, question_names)}"
        if qtype == "likert":
            row["appearance"] = LIKERT_APPEARANCE
    elif qtype == "yes_no":
        # one yes_no list for the form: the first yes/no question with translated options gives theirs
        yes_no = [
            (
                value,
                label,
                tuple(
                    (code, text)
                    for code in translations
                    if (text := _translated(translations, code, ("questions", question["name"], "choices", value)))
                ),
                (),
            )
            for value, label in YES_NO_CHOICES
        ]
        if YES_NO_LIST not in lists or (not any(i[2] for i in lists[YES_NO_LIST]) and any(i[2] for i in yes_no)):
            lists[YES_NO_LIST] = yes_no
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


def _settings(data: dict, version: int | None, columns: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {"form_title": data["title"], "form_id": data["slug"]}
    translations = data.get("translations") or {}
    if columns is not None:
        settings["default_language"] = columns[0][1][2:]
    if version is not None:
        settings["version"] = str(version)
    # texts keep their line breaks and spaces (pyxform would otherwise collapse them)
    settings["clean_text_values"] = "no"
    for key in EXTRA_SETTINGS:
        if data.get(key) is not None:
            settings[key] = data[key]
    for key, value in (data.get("settings") or {}).items():
        settings[key] = _cell(value)
    for code, suffix in (columns or [])[1:]:
        # after the plain columns: pyxform reads description::Cymraeg (cy) as a translation only when it follows them
        for key, path in ((TRANSLATED_TITLE_COLUMN, ("title",)), ("description", ("description",))):
            settings[key + suffix] = _translated(translations, code, path)
        for key in SETTINGS_TEXTS:
            settings[key + suffix] = _translated(translations, code, ("settings", key))
    return {key: value for key, value in settings.items() if value is not None}


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

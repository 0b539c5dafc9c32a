"""XLSForm workbooks written by the tests (openpyxl), as bytes: the forms here are ours, never downloaded."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook(survey: list[list], choices: list[list] | None = None, settings: list[list] | None = None) -> bytes:
    """An .xlsx with a survey sheet (first row: headers) and, when given, choices and settings sheets."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SIMPLE_FORM = workbook(
    [
        ["type", "name", "label", "required"],
        ["text", "where", "Where do you live?", "yes"],
        ["select_one yn", "happy", "Are you happy with the service?", None],
    ],
    [["list_name", "name", "label"], ["yn", "y", "Yes, I am"], ["yn", "n", "No, I am not"]],
    [["form_title", "form_id"], ["Simple XLSForm", "simple_xlsform"]],
)

UNSUPPORTED_FORM = workbook(
    [
        ["type", "name", "label"],
        ["text", "name_given", "Your name"],
        ["geopoint", "where", "Where are you?"],
        ["integer", "visits", "How many visits?"],
    ],
    None,
    [["form_title", "form_id"], ["Partly supported", "partly-supported"]],
)

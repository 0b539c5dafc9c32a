"""The formula-injection guard for every CSV and XLSX cell the product writes (exports, import reports, XLSForms)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value that no spreadsheet will run as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_exact_text(sheet, row: int, column: int, value) -> None:
    """Put text in a worksheet cell (openpyxl) exactly as it is, for files that programs read back (XLSForm).

    `neutralise()` changes the text (a leading apostrophe), which a form's labels, choice codes such as
    `-1` and expressions cannot afford. Here the cell is stored as text, never as a formula (openpyxl
    would write a value starting with `=` as one), and a value that starts like a formula gets Excel's
    quote prefix, the hidden mark a typed apostrophe leaves: spreadsheets show and keep it as text.
    """
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True

"""XLSForm workbooks in and out, over the same import as YAML (services/surveys.py).

`import_xlsform` reads a workbook with the engine's `read_xlsform` (pyxform underneath, then the loader's
validation) and stores it with `store_questionnaire`, as `import_definition` does with YAML, so validation
and versioning are those of any import.
`xlsform_bytes` writes a questionnaire as an .xlsx that pyxform reads and that imports back unchanged;
every text cell goes through spreadsheet_cells.write_exact_text.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Survey, SurveyVersion
from ..questionnaires.definition import Questionnaire
from ..questionnaires.xlsform import XLSFormImport, read_xlsform
from ..questionnaires.xlsform_export import xlsform_sheets
from ..spreadsheet_cells import write_exact_text
from .surveys import ImportResult, store_questionnaire

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the largest workbook accepted (as the admin upload: 4 MB); real XLSForms are well under 1 MB
MAX_XLSFORM_BYTES = 4_000_000
#: an .xlsx (like any zip file) starts with these bytes
ZIP_MAGIC = b"PK\x03\x04"


def looks_like_workbook(data: bytes) -> bool:
    """True for a zip (.xlsx) or an old .xls: what to hand to the XLSForm reader rather than the YAML one."""
    return data.startswith(ZIP_MAGIC) or data.startswith(b"\xd0\xcf\x11\xe0")


@dataclass
class XLSFormImportResult:
    result: ImportResult
    converted: XLSFormImport


def import_xlsform(
    session: Session, data: bytes, source: str = "<upload>", skip_unsupported: bool = False
) -> XLSFormImportResult:
    """Import an XLSForm workbook as a new survey or version. Raises xlsform.XLSFormError (a DefinitionError)
    listing every problem before touching the database."""
    converted = read_xlsform(data, source, skip_unsupported=skip_unsupported)
    # the version's source text: the mapped definition, a native file that can be read and corrected
    source_text = json.dumps(converted.definition, indent=2, ensure_ascii=False)
    return XLSFormImportResult(store_questionnaire(session, converted.questionnaire, source_text), converted)


def xlsform_bytes(questionnaire: Questionnaire, version: int | None = None) -> bytes:
    """The questionnaire as an XLSForm .xlsx (raises xlsform_export.XLSFormExportError for a type XLSForm
    cannot express)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in xlsform_sheets(questionnaire, version):
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                write_exact_text(sheet, r, c, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def survey_version(session: Session, survey: Survey, number: int | None = None) -> SurveyVersion | None:
    """A survey's version by number (its current one when None); None when there is no such version."""
    if number is None:
        return survey.current_version
    return session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id, SurveyVersion.number == number)
    )


def version_xlsform(version: SurveyVersion) -> bytes:
    """A stored version as an XLSForm workbook."""
    return xlsform_bytes(Questionnaire.from_dict(version.definition), version.number)

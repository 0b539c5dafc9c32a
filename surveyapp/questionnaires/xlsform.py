"""XLSForm workbooks in: pyxform reads the .xlsx, this module maps its result onto the native definition.

`read_xlsform(data)` hands the workbook to pyxform's XLSForm-to-JSON step (`get_xlsform`,
`workbook_to_json`: sheets, header aliases, language columns and ODK's own checks), then maps that JSON
onto the definition dict that `loader.load_definition_data` accepts, and validates it there. What the
product cannot serve on the web is refused, one `Problem` per row and column naming the sheet, the row,
the type or column and what to do; nothing is imported unless `skip_unsupported` is given, which leaves
those parts out and lists them. docs/xlsform.md has the table of what is supported, mapped and refused.

Plain Python: no Flask, no database.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pyxform import aliases as pyxform_aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import dealias_and_group_headers
from pyxform.question import MultipleChoiceQuestion
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import dealias_types, workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from . import expressions, languages
from .definition import SETTINGS_DEFAULTS, Questionnaire
from .loader import DefinitionError, Problem, load_definition_data
from .media import image_name
from .messages import N_, Message
from .xlsform_columns import (
    EXTENSION_COLUMNS,
    LIKERT_APPEARANCE,
    MULTILINE_APPEARANCE,
    PAGE_APPEARANCES,
    PAGE_NAME_COLUMN,
    TRANSLATED_TITLE_COLUMN,
    YES_NO_CHOICES,
    YES_NO_LIST,
)

#: a workbook's parts, unpacked, at most this many bytes: a form of 2,000 questions is about 0.75 MB and
#: takes about 3 s to read and check, so this keeps an upload well inside the web worker's 30 s
MAX_UNPACKED_BYTES = 4_000_000
MAX_PARTS = 1_000
_REF_RE = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DATE_TIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?\Z")
_TRUE = {k for k, v in pyxform_aliases.yes_no.items() if v}
_FALSE = {k for k, v in pyxform_aliases.yes_no.items() if not v}
_METADATA_PRELOADS = {"timestamp", "property", "date", "uid"}

_TEXT_TYPES = {"text", "string", "phone number"}
_ENGINE_TYPES = {"integer": "integer", "int": "integer", "decimal": "decimal", "date": "date", "note": "note"}
_ENGINE_TYPES |= {"time": "time", "dateTime": "datetime", "datetime": "datetime"}
_SELECT_TYPES = {"select one": "single_choice", "select all that apply": "multiple_choice", "rank": "rank"}

# Problems and notices are Messages: English text (the command line, the tests) that a page translates.
_REFUSED_BY_BIND = {
    "geopoint": Message("a web survey here cannot record a location; ask for a place or postcode with a text question"),
    "geotrace": Message("a web survey here cannot record a line on a map; remove the row"),
    "geoshape": Message("a web survey here cannot record a shape on a map; remove the row"),
    "binary": Message("the product does not take photos, recordings or files; remove the row"),
    "barcode": Message("the product cannot scan barcodes; use a text question"),
}
_REFUSED_BY_TYPE = {
    "select one external": Message(
        "choices from an external file are not supported; put them in the choices sheet and use %(form)s",
        form="select_one LIST",
    ),
    "xml-external": Message("attached data files are not supported; remove the row"),
    "csv-external": Message("attached data files are not supported; remove the row"),
    "trigger": Message("use acknowledge, or a note"),
    "osm": Message("OpenStreetMap questions are not supported; remove the row"),
    "include": Message("including other forms is not supported; copy their rows into this form"),
}


class XLSFormError(DefinitionError):
    """A workbook that cannot be imported: `.problems` lists every problem; `.unsupported` counts those
    that `skip_unsupported` would leave out."""

    def __init__(self, problems: list[Problem], source: str = "<upload>", unsupported: int = 0):
        super().__init__(problems, source)
        self.unsupported = unsupported


@dataclass
class XLSFormProblem(Problem):
    """A problem of a workbook; `unsupported`: a part the product cannot serve (skip_unsupported leaves it
    out), rather than a mistake in the form."""

    unsupported: bool = False


@dataclass
class XLSFormImport:
    """What `read_xlsform` made of a workbook: the native definition, and what did not come across."""

    definition: dict
    #: the same, validated and built by the loader
    questionnaire: Questionnaire
    #: parts left out by skip_unsupported, one line each (sheet, row, what, why)
    left_out: list[str] = field(default_factory=list)
    #: what was mapped with a loss worth knowing (other languages, form metadata, settings renamed)
    notices: list[str] = field(default_factory=list)


def _where(sheet: str, row: int | None, subject: str) -> str:
    """ "sheet 'survey', row 4, column 'default'" (a Message: a page shows it in its language)."""
    if row and subject:
        return Message("sheet '%(sheet)s', row %(row)s, %(subject)s", sheet=sheet, row=row, subject=subject)
    if row:
        return Message("sheet '%(sheet)s', row %(row)s", sheet=sheet, row=row)
    if subject:
        return Message("sheet '%(sheet)s', %(subject)s", sheet=sheet, subject=subject)
    return Message("sheet '%(sheet)s'", sheet=sheet)


def _column(name: str) -> str:
    return Message("column '%(column)s'", column=name)


def _type(name: str) -> str:
    return Message("type '%(type)s'", type=name)


def _noted(where: str, note: str) -> str:
    return Message("%(where)s: %(note)s", where=where, note=note)


def read_xlsform(data: bytes, source: str = "<upload>", skip_unsupported: bool = False) -> XLSFormImport:
    """Read an XLSForm .xlsx and map it onto a native definition, validated by the loader.

    Raises XLSFormError listing every problem (nothing is imported); with skip_unsupported, only
    problems other than unsupported features are raised, and what was left out is in `.left_out`.
    """
    form, survey_rows = _pyxform_json(data, source)
    mapper = _Mapper(form, survey_rows, skip_unsupported)
    definition = mapper.run()
    problems = mapper.problems
    unsupported = sum(1 for p in problems if p.unsupported)
    if problems:
        raise XLSFormError(problems, source, unsupported)
    try:
        questionnaire = load_definition_data(definition, source)
    except DefinitionError as exc:
        raise XLSFormError([mapper.locate(p) for p in exc.problems], source) from None
    return XLSFormImport(definition, questionnaire, mapper.left_out, mapper.notices)


def _refuse(source: str, message: str) -> XLSFormError:
    return XLSFormError([Problem(None, "", message)], source)


def _check_archive(data: bytes, source: str) -> None:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _refuse(
            source, Message("this is an old Excel .xls file: save it as an Excel workbook (.xlsx) and import that")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(source, Message("the file is not an Excel workbook (.xlsx), nor YAML or JSON text")) from None
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise _refuse(
            source,
            Message(
                "the workbook unpacks to more than %(size)s MB: an XLSForm is much smaller; remove other sheets and data",
                size=MAX_UNPACKED_BYTES // 1_000_000,
            ),
        )


def _pyxform_json(data: bytes, source: str) -> tuple[dict, list[dict]]:
    """pyxform's JSON of the form, and the survey sheet's rows (dealiased by pyxform) for row numbers."""
    _check_archive(data, source)
    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except PyXFormError as exc:
        detail = str(exc).strip()
        if detail.startswith("Argument"):  # pyxform tried every format it knows; none fitted
            raise _refuse(source, Message("the file cannot be read as an Excel workbook (.xlsx)")) from None
        raise _refuse(source, f"pyxform: {detail}") from None
    except Exception as exc:  # openpyxl on a damaged or hostile file: many kinds of error, none a traceback
        raise _refuse(
            source,
            Message("the workbook cannot be read (%(error)s): save it again as .xlsx", error=exc.__class__.__name__),
        ) from None
    if not workbook.survey:
        names = ", ".join(f"'{n}'" for n in workbook.sheet_names) or "none"
        raise _refuse(
            source,
            Message(
                "the workbook has no sheet named 'survey' (its sheets: %(sheets)s); an XLSForm needs one",
                sheets=names if workbook.sheet_names else Message("none"),
            ),
        )
    try:
        raw_types = [_raw_type(row) for row in workbook.survey]
        rows = dealias_and_group_headers(
            sheet_name="survey",
            sheet_data=workbook.survey,
            sheet_header=workbook.survey_header,
            header_aliases=pyxform_aliases.survey_header,
            header_columns=set(MultipleChoiceQuestion.get_slot_names()),
        ).data
        rows = dealias_types(dict_array=[dict(r) for r in rows])
        for row, raw_type in zip(rows, raw_types, strict=False):
            row["type as written"] = raw_type
        fallback = workbook.fallback_form_name or PurePath(source).stem or "form"
        form = workbook_to_json(workbook, form_name="data", fallback_form_name=fallback)
    except PyXFormError as exc:
        raise _refuse(source, f"pyxform: {str(exc).strip()}") from None
    except Exception as exc:  # a pyxform bug on odd input is still the file's problem to the person importing
        raise _refuse(source, f"pyxform cannot read the form ({exc.__class__.__name__}: {exc})") from None
    return form, rows


def _raw_type(row: dict) -> str | None:
    """A survey row's type as the author wrote it (pyxform renames some: image is photo to it)."""
    for key, value in row.items():
        if isinstance(key, str) and key.strip().lower() in ("type", "command"):
            return str(value)
    return None


def _is_true(value) -> bool | None:
    """True/False for XLSForm's yes/no spellings; None for anything else (an expression)."""
    if value is None or value == "":
        return False
    text = str(value).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


class _Mapper:
    """Walks pyxform's JSON in form order, building pages and questions and collecting problems."""

    def __init__(self, form: dict, rows: list[dict], skip: bool):
        self.form = form
        self.skip = skip
        self.problems: list[XLSFormProblem] = []
        self.left_out: list[str] = []
        self.notices: list[str] = []
        self.row_of: dict[str, int] = {}
        self.raw_type: dict[str, str] = {}
        for number, row in enumerate(rows, start=2):
            name = row.get("name")
            if isinstance(name, str) and name not in self.row_of:
                self.row_of[name] = number
                self.raw_type[name] = str(row.get("type as written") or row.get("type", ""))
        self.language = form.get("default_language") or "default"
        self.other_languages: set[str] = set()
        # texts in the other languages: XLSForm language ('Cymraeg (cy)') -> path in a translation -> text
        self.translated: dict[str, dict[tuple, str]] = {}
        self.section_texts: dict[str, dict] = {}  # a section's title -> its label in every language
        self.calculations: dict[str, str] = {}
        self.calculation_used: set[str] = set()
        self.calculation_checked: dict[str, bool] = {}
        self.renamed: dict[str, str] = {}
        self.removed: set[str] = set()  # names left out (their questions and anything using them)
        self.pages: list[dict] = []
        self.page_names: set[str] = set()
        self.pending_notes: list[dict] = []
        self.metadata: list[str] = []

    # --- problems -----------------------------------------------------------------------

    def problem(self, name: str | None, subject: str, message: str, unsupported: bool = True) -> None:
        row = self.row_of.get(name) if name else None
        where = _where("survey", row, subject)
        if self.skip and unsupported:
            self.left_out.append(_noted(where, message))
            return
        self.problems.append(XLSFormProblem(None, where, message, unsupported))

    def locate(self, problem: Problem) -> Problem:
        """A loader problem about the mapped definition, pointed at the sheet and row it came from."""
        match = re.match(r"(question|page) '([^']+)'", problem.where or "")
        if match and match.group(2) in self.row_of:
            what = Message(_NAMED[match.group(1)], name=match.group(2))
            where = _where("survey", self.row_of[match.group(2)], what)
        elif (problem.where or "").startswith("slug"):
            where = _where("settings", None, _column("form_id"))
        else:
            where = problem.where
        return Problem(None, where, problem.message)

    # --- texts --------------------------------------------------------------------------

    def text(self, value, path: tuple | None = None) -> str | None:
        """The text in the form's default language; with `path` (where a translation keeps it, e.g.
        ("questions", name, "label")), its texts in the other languages are kept for the translations block."""
        chosen = self._text(value)
        if path is not None:
            self.keep_translations(value, path)
        return chosen

    def keep_translations(self, value, path: tuple) -> None:
        """Keep the texts of `value` in languages other than the default one, for the translations block."""
        if isinstance(value, dict):
            for language, text in value.items():
                if language not in (self.language, "default") and text not in (None, ""):
                    self.other_languages.add(language)
                    self.translated.setdefault(language, {})[path] = str(text)

    def _text(self, value) -> str | None:
        if value is None:
            return None
        if isinstance(value, dict):
            if not value:
                return None
            for language in value:
                if language not in (self.language, "default"):
                    self.other_languages.add(language)
            if self.language in value:
                chosen = value[self.language]
            elif "default" in value:
                chosen = value["default"]
            else:
                self.language = next(iter(value))
                self.other_languages.discard(self.language)
                chosen = value[self.language]
            return None if chosen is None else str(chosen)
        return str(value)

    # --- expressions --------------------------------------------------------------------

    def inline(self, text: str, seen: tuple[str, ...] = ()) -> str:
        """`${calc}` replaced by `(its calculation)`, so conditions can use calculate rows."""

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in self.calculations and name not in seen and self.calculation_ok(name):
                self.calculation_used.add(name)
                return "(" + self.inline(self.calculations[name], (*seen, name)) + ")"
            return "${" + self.native_name(name) + "}"

        return _REF_RE.sub(replace, text)

    def piped(self, name: str, column: str, text: str) -> str | None:
        """A label or hint that shows earlier answers (${name}): names as the engine has them, in every language;
        None (with a problem) when it shows a calculate row, whose value the product does not keep."""
        shown = [ref for ref in _REF_RE.findall(text) if ref in self.calculations]
        if shown:
            self.problem(
                name,
                _column(column),
                Message(
                    "the %(column)s shows the calculation '%(name)s', which the product cannot show; write the "
                    "%(column)s without it",
                    column=column,
                    name=shown[0],
                ),
            )
            return None

        def native(found: str) -> str:
            return _REF_RE.sub(lambda m: "${" + self.native_name(m.group(1)) + "}", found)

        for texts in self.translated.values():
            path = ("questions", name, column)
            if path in texts:
                texts[path] = native(texts[path])
        return native(text)

    def native_name(self, name: str) -> str:
        """A name the engine accepts: XLSForm also allows '-' and '.', which become '_' (when that is free)."""
        if _NAME_RE.fullmatch(name) or not name:
            return name
        native = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not re.match(r"[A-Za-z_]", native):
            native = "_" + native
        if native in self.row_of and self.renamed.get(name) != native:
            return name  # taken: the loader reports the name as it is
        if name not in self.renamed:
            self.renamed[name] = native
            self.row_of[native] = self.row_of.get(name, 0)
        return native

    def calculation_ok(self, name: str) -> bool:
        """Whether a calculate row can be written into the conditions that use it (checked once, at its row)."""
        if name not in self.calculation_checked:
            self.calculation_checked[name] = True  # while it is checked: a calculation using itself stops here
            ok, _ = self.expression(name, "calculation", self.calculations[name])
            self.calculation_checked[name] = ok
            if not ok:
                self.removed.add(name)
        return self.calculation_checked[name]

    def expression(
        self, owner: str, column: str, text: str | None, choice_filter: bool = False
    ) -> tuple[bool, str | None]:
        """(ok, the expression in the engine's language); not ok: a problem was recorded. A choice filter's
        bare names are the choices' columns (expressions.parse_choice_filter)."""
        if text is None or str(text).strip() == "":
            return True, None
        text = self.inline(str(text).strip())
        if "pulldata(" in text.replace(" ", ""):
            self.problem(
                owner,
                _column(column),
                Message(
                    "%(function)s reads a CSV file attached to the form, which the product does not store; rewrite "
                    "the expression without it",
                    function="pulldata()",
                ),
            )
            return False, None
        try:
            parsed = expressions.parse_choice_filter(text) if choice_filter else expressions.parse(text)
        except expressions.ExpressionError as exc:
            self.problem(
                owner,
                _column(column),
                Message(
                    "the expression '%(text)s' cannot be used here: %(error)s; rewrite it with the functions the "
                    "product evaluates: %(functions)s",
                    text=text,
                    error=exc.message,
                    functions=", ".join(f"{f}()" for f in expressions.FUNCTIONS),
                )
                if "function" in exc.message
                else Message(
                    "the expression '%(text)s' cannot be used here: %(error)s; rewrite it", text=text, error=exc.message
                ),
            )
            return False, None
        removed = self.removed | {self.renamed[n] for n in self.removed if n in self.renamed}
        gone = sorted(parsed.references & removed)
        if gone:
            if not self.skip:
                return False, None  # a consequence of a problem already reported, not one of its own
            self.problem(
                owner,
                _column(column),
                Message(_LEFT_OUT[len(gone) != 1], names=", ".join(gone)),
            )
            return False, None
        return True, text

    # --- the walk -----------------------------------------------------------------------

    def run(self) -> dict:
        self.walk(self.form.get("children") or [], conditions=[], page=None, section=None)
        self.flush_notes()
        slug = self.slug()
        definition: dict[str, Any] = {"slug": slug, "title": self.text(self.form.get("title"), ("title",)) or slug}
        translated_title = self.form.get(TRANSLATED_TITLE_COLUMN)
        if isinstance(translated_title, dict):  # our export's translated_title::Cymraeg (cy) columns
            self.keep_translations(translated_title, ("title",))
        description = self.text(self.form.get("description"), ("description",))
        if description:
            definition["description"] = description
        settings = self.settings()
        default = languages.from_xlsform(self.language) if self.language != "default" else None
        if default is not None and "language" not in settings and default[0] != SETTINGS_DEFAULTS["language"]:
            settings["language"] = default[0]
        if settings:
            definition["settings"] = settings
        definition["pages"] = self.pages
        translations = self.translations(settings.get("language", "en"), default)
        if translations:
            definition["translations"] = translations
        if not self.pages and not self.problems:
            self.problem(None, "", Message("the form has no question the product can serve"), unsupported=False)
        if self.renamed:
            self.notices.append(
                Message(
                    "names with characters the product does not allow in names were changed: %(names)s",
                    names=", ".join(f"{old} is {new}" for old, new in self.renamed.items()),
                )
            )
        if self.metadata:
            self.notices.append(
                Message(
                    "form metadata left out (the product records when each response was started and submitted): "
                    "%(names)s",
                    names=", ".join(self.metadata),
                )
            )
        unused = sorted(set(self.calculations) - self.calculation_used)
        if unused:
            self.notices.append(
                Message(
                    "calculate rows not used by any condition or constraint were left out (their values are not "
                    "stored): %(names)s",
                    names=", ".join(unused),
                )
            )
        return definition

    def translations(self, default_code: str, default: tuple[str, str] | None) -> dict:
        """The translations block from the texts kept in other languages; languages without a code are noted."""
        self.page_title_texts()
        questions = {q["name"]: q for page in self.pages for q in page["questions"]}
        pages = {page["name"] for page in self.pages}
        result: dict[str, dict] = {}
        if default is not None and default[1] != languages.own_name(default[0]):
            result[default[0]] = {"name": default[1]}
        uncoded = sorted(lang for lang in self.other_languages if languages.from_xlsform(lang) is None)
        if uncoded:
            self.notices.append(
                Message(
                    "texts in %(languages)s were not imported: name each language with its code in the column, like "
                    "%(example)s",
                    languages=", ".join(f"'{lang}'" for lang in uncoded),
                    example="label::Cymraeg (cy)",
                )
            )
        for language in [lang for lang in self.translated if lang not in uncoded]:
            code, name = languages.from_xlsform(language)
            if code == default_code:
                continue
            entry: dict[str, Any] = {"name": name}
            for path, text in self.translated[language].items():
                if (path[0] == "questions" and path[1] not in questions) or (
                    path[0] == "pages" and path[1] not in pages
                ):
                    continue  # left out of the form
                if path[0] == "questions" and len(path) == 4 and "choices" not in questions[path[1]]:
                    if questions[path[1]]["type"] != "yes_no":
                        continue  # the choices of a question that did not keep them (acknowledge)
                node = entry
                for step in path[:-1]:
                    node = node.setdefault(step, {})
                node[path[-1]] = text
            result[code] = entry
        return result

    def page_title_texts(self) -> None:
        """A page titled by a section or by its question's label has their texts in the other languages."""
        for page in self.pages:
            for language, texts in self.translated.items():
                if ("pages", page["name"], "title") in texts:
                    continue
                section = self.section_texts.get(page["title"])
                if section is not None and section.get(language):
                    texts[("pages", page["name"], "title")] = str(section[language])
                    continue
                for question in page["questions"]:
                    label = texts.get(("questions", question["name"], "label"))
                    if label and question.get("label") == page["title"]:
                        texts[("pages", page["name"], "title")] = label
                        break

    def slug(self) -> str:
        form_id = str(self.form.get("id_string") or "form")
        slug = re.sub(r"[^a-z0-9-]+", "-", form_id.lower()).strip("-")[:64] or "form"
        if slug != form_id:
            self.notices.append(
                Message("form_id '%(form_id)s' became the survey's slug '%(slug)s'", form_id=form_id, slug=slug)
            )
        return slug

    def settings(self) -> dict:
        settings: dict[str, Any] = {}
        for key, default in SETTINGS_DEFAULTS.items():
            value = self.form.get(key)
            if isinstance(value, dict):  # organisation::Cymraeg (cy)
                value = self.text(value, ("settings", key) if key in languages.SETTINGS_TEXTS else None)
            if value is None or value == "":
                continue
            text = str(value).strip()
            if isinstance(default, bool):
                flag = _is_true(text)
                settings[key] = text if flag is None else flag  # the loader names a value that is neither
            elif isinstance(default, int):
                settings[key] = int(text) if re.fullmatch(r"-?\d{1,9}", text) else text
            elif key == "contact_attributes":
                settings[key] = [a for a in re.split(r"[\s,]+", text) if a]
            else:
                match = _DATE_TIME_RE.match(text)
                settings[key] = match.group(1) if match else text
        return settings

    def new_page(self, name: str, title: str, relevant: str | None) -> dict:
        base, number = name, 2
        while name in self.page_names:
            name, number = f"{base}_{number}", number + 1
        self.page_names.add(name)
        page: dict[str, Any] = {"name": name, "title": title}
        if relevant:
            page["relevant"] = relevant
        page["questions"] = []
        return page

    def add_page(self, page: dict) -> None:
        if page["questions"]:
            self.pages.append(page)

    def flush_notes(self) -> None:
        if self.pending_notes:
            first = self.pending_notes[0]
            page = self.new_page(f"page_{first['name']}", first.get("label") or first["name"], None)
            page["questions"] = self.pending_notes
            self.pending_notes = []
            self.add_page(page)

    def walk(self, children: list[dict], conditions: list[str], page: dict | None, section: str | None) -> None:
        for element in children:
            kind = element.get("type")
            name = str(element.get("name", ""))
            if kind == "group" and name == "meta" and (element.get("control") or {}).get("bodyless"):
                continue  # pyxform's own instanceID, not a question
            if name.startswith("reserved_name_for_field_list_labels_"):
                continue  # the header row pyxform adds to a table-list group (ODK draws the options once)
            if kind == "group":
                self.group(element, conditions, page, section)
            elif kind in ("repeat", "loop"):
                self.leave_out_all(element)
                self.problem(
                    name,
                    _type("begin repeat"),
                    Message(
                        "repeats are not supported: ask for a fixed number of items (a group with numbered "
                        "questions), or remove the repeat and the questions in it"
                    ),
                )
            elif kind == "calculate":
                calculation = (element.get("bind") or {}).get("calculate")
                if calculation:
                    self.calculations[name] = str(calculation)
            else:
                question = self.question(element)
                if question is None:
                    self.removed.add(name)
                    continue
                self.place(question, conditions, page, section)

    def place(self, question: dict, conditions: list[str], page: dict | None, section: str | None) -> None:
        if page is not None:
            parts = [*conditions, question.get("relevant")]
            parts = [p for p in parts if p]
            if parts:
                question["relevant"] = _all_of(parts)
            page["questions"].append(question)
            return
        if self.pages and not conditions and _follows_its_select(question, self.pages[-1]):
            self.pages[-1]["questions"].append(question)  # or_other's text, shown on its select's page
            return
        if question["type"] == "hidden" and not conditions and self.pages and not self.pages[-1].get("relevant"):
            self.pages[-1]["questions"].append(question)  # a hidden value goes on the page before it
            return
        if question["type"] in ("note", "hidden") and not conditions:
            self.pending_notes.append(question)  # on the next question's page
            return
        new = self.new_page(
            f"page_{question['name']}", section or question.get("label") or question["name"], _all_of(conditions)
        )
        new["questions"] = [*self.pending_notes, question]
        self.pending_notes = []
        self.add_page(new)

    def leave_out_all(self, element: dict) -> None:
        self.removed.add(str(element.get("name", "")))
        for child in element.get("children") or []:
            self.leave_out_all(child)

    def group(self, element: dict, conditions: list[str], page: dict | None, section: str | None) -> None:
        name = str(element.get("name", ""))
        control = element.get("control") or {}
        appearance = str(control.get("appearance") or "")
        ok, relevant = self.expression(name, "relevant", (element.get("bind") or {}).get("relevant"))
        if not ok:
            self.leave_out_all(element)
            return
        title = self.text(element.get("label")) or name.replace("_", " ").capitalize()
        if isinstance(element.get("label"), dict):
            self.section_texts.setdefault(title, element["label"])
        children = element.get("children") or []
        if page is None and set(appearance.split()) & PAGE_APPEARANCES:
            self.flush_notes()
            page_name = str(element.get(PAGE_NAME_COLUMN) or self.native_name(name))
            new = self.new_page(page_name, title, _all_of([*conditions, relevant] if relevant else conditions))
            self.text(element.get("label"), ("pages", new["name"], "title"))
            self.walk(children, conditions=[], page=new, section=section)
            self.add_page(new)
            return
        if page is None:
            self.flush_notes()
        inner = [*conditions, relevant] if relevant else conditions
        self.walk(children, conditions=inner, page=page, section=title if page is None else section)
        if page is None:
            self.flush_notes()

    def question(self, element: dict) -> dict | None:
        """The native question for a pyxform element, or None when it cannot be served (problem recorded)."""
        kind = str(element.get("type"))
        name = str(element.get("name", ""))
        raw_type = self.raw_type.get(name, kind)
        declared = QUESTION_TYPE_DICT.get(kind, {})
        bind = {**(declared.get("bind") or {}), **(element.get("bind") or {})}
        control = element.get("control") or {}
        appearance = str(control.get("appearance") or "")
        if bind.get("jr:preload") in _METADATA_PRELOADS or kind in ("audit", "start-geopoint", "background-audio"):
            self.metadata.append(f"{name} ({raw_type}, row {self.row_of.get(name)})")
            return None
        question: dict[str, Any] = {"name": self.native_name(name)}
        if kind in _TEXT_TYPES:
            question["type"] = "long_text" if MULTILINE_APPEARANCE in appearance.split() else "short_text"
        elif kind in _ENGINE_TYPES:
            question["type"] = _ENGINE_TYPES[kind]
        elif kind in _SELECT_TYPES:
            if not self.choices(element, question, raw_type):
                return None
        elif kind == "hidden":
            question["type"] = "hidden"
        elif kind == "acknowledge":
            question["type"] = "single_choice"
            question["choices"] = [{"value": "OK", "label": "OK"}]
        elif kind == "range":
            if not self.range(element, question, raw_type):
                return None
        else:
            message = _REFUSED_BY_TYPE.get(kind) or _REFUSED_BY_BIND.get(str(bind.get("type")))
            self.problem(
                name, _type(raw_type), message or Message("the product cannot serve this type; remove the row")
            )
            return None
        return self.details(element, question, bind)

    def choices(self, element: dict, question: dict, raw_type: str) -> bool:
        name = question["name"]
        itemset = str(element.get("itemset") or element.get("list_name") or "")
        if "." in itemset or element.get("type") == "select one external":
            self.problem(name, _type(raw_type), _REFUSED_BY_TYPE["select one external"])
            return False
        if element.get("choice_filter"):
            ok, choice_filter = self.expression(name, "choice_filter", element["choice_filter"], choice_filter=True)
            if choice_filter:
                question["choice_filter"] = choice_filter
            elif not ok and not self.skip:
                return False
        if any(choice.get("media") for choice in element.get("choices") or []):
            self.problem(
                name,
                Message("list '%(list)s'", list=itemset),
                Message("pictures and sounds in choices are not supported; remove those columns"),
            )
        choices = []
        for choice in element.get("choices") or []:
            label = self.text(choice.get("label"), ("questions", name, "choices", str(choice.get("name"))))
            # a choice shown only as a picture: its name is the best text there is
            choices.append(
                {"value": str(choice.get("name")), "label": label or str(choice.get("name")), **_extra_columns(choice)}
            )
        appearance = str((element.get("control") or {}).get("appearance") or "").split()
        if element["type"] == "select one" and itemset == YES_NO_LIST and _pairs(choices) == YES_NO_CHOICES:
            question["type"] = "yes_no"
        elif element["type"] == "select one" and LIKERT_APPEARANCE in appearance:
            question["type"] = "likert"
            question["choices"] = choices
        else:
            question["type"] = _SELECT_TYPES[element["type"]]
            question["choices"] = choices
        return True

    def default(self, element: dict, question: dict) -> bool:
        """The `default` column as the question's default; False when the question cannot be kept."""
        value = element.get("default")
        if value is None or str(value).strip() == "":
            return True
        if _DYNAMIC_DEFAULT_RE.search(str(value)):
            self.problem(str(element.get("name", "")), _column("default"), _COLUMN_ADVICE["default"])
            return question["type"] != "hidden"  # a hidden question is nothing without its default
        question["default"] = _default_text(value, question["type"])
        return True

    def range(self, element: dict, question: dict, raw_type: str) -> bool:
        parameters = element.get("parameters") or {}
        start, end, step = (str(parameters.get(k, d)) for k, d in (("start", "1"), ("end", "10"), ("step", "1")))
        if not all(re.fullmatch(r"-?\d{1,6}", v) for v in (start, end)) or step != "1":
            self.problem(
                question["name"],
                _type(raw_type),
                Message(
                    "only whole-number ranges with step 1 become a rating scale (this one: %(parameters)s); change the "
                    "parameters",
                    parameters=f"start={start} end={end} step={step}",
                ),
            )
            return False
        question.update(type="rating", min=int(start), max=int(end))
        return True

    def media(self, element: dict, question: dict) -> bool:
        """`image` / `media::image` (per language too) becomes the question's image, named as the survey stores
        it (a picture with no words: the loader asks for a label at its row); sounds and videos are refused."""
        name = question["name"]
        media = element.get("media") or {}
        for kind in media:
            if kind not in ("image", "big-image"):
                self.problem(name, _column(kind), _COLUMN_ADVICE["audio"])
        image = media.get("image")
        if image:
            if isinstance(image, dict):  # per language; no picture in the default language is no picture there
                by_language = {k: image_name(str(v)) for k, v in image.items() if v not in (None, "")}
                self.keep_translations(by_language, ("questions", name, "image"))
                default = next((k for k in (self.language, "default") if by_language.get(k)), None)
                named = by_language.get(default) if default else None
                raw = image.get(default) if default else None
            else:
                named, raw = image_name(str(image)), image
            if named:
                question["image"] = named
                if named != str(raw):
                    where = _where("survey", self.row_of.get(name), _column("image"))
                    stored = Message("the image '%(raw)s' is stored as '%(named)s'", raw=raw, named=named)
                    self.notices.append(_noted(where, stored))
        if media.get("big-image"):
            where = _where("survey", self.row_of.get(name), _column("big-image"))
            self.notices.append(_noted(where, Message("a big image (to open full screen) is not shown; use 'image'")))
        return True

    def details(self, element: dict, question: dict, bind: dict) -> dict | None:
        name = question["name"]
        label = self.text(element.get("label"), ("questions", name, "label"))
        if label is not None and _REF_RE.search(label):
            label = self.piped(name, "label", label)
            if label is None:
                return None
        if label is None and question["type"] == "hidden":
            label = str(element.get("name", ""))  # hidden rows have no label: the name heads its export column
        if label is not None:
            question["label"] = label  # none: the loader says a label is needed, at this row
        hint = self.text(element.get("hint"), ("questions", name, "hint"))
        if hint and _REF_RE.search(hint):
            hint = self.piped(name, "hint", hint)
        if hint:
            question["hint"] = hint
        if element.get("guidance_hint"):
            # ODK shows it to enumerators and on paper, never in a web form: say so rather than drop it quietly.
            where = _where("survey", self.row_of.get(name), _column("guidance_hint"))
            note = Message("a guidance hint is for interviewers and paper forms; it was not imported")
            self.notices.append(_noted(where, note))
        ok, relevant = self.expression(name, "relevant", _or_other_condition(name, bind.get("relevant")))
        if not ok:
            return None
        if relevant:
            question["relevant"] = relevant
        if not self.default(element, question):
            return None
        if not self.media(element, question):
            return None
        calculation = element.get("bind", {}).get("calculate")
        if calculation:
            self.problem(name, _column("calculation"), _COLUMN_ADVICE["calculation"])
        if question["type"] in ("note", "hidden"):
            return question
        read_only = _is_true((element.get("bind") or {}).get("readonly"))
        if read_only:
            question["read_only"] = True
            if _is_true(bind.get("required")):
                where = _where("survey", self.row_of.get(name), _column("required"))
                note = Message("a read-only question cannot be required (its answer is its default)")
                self.notices.append(_noted(where, note))
                bind = {**bind, "required": "no"}
        required = _is_true(bind.get("required"))
        if required is None:
            self.problem(
                name,
                _column("required"),
                Message(
                    "required may only be yes or no here (not '%(value)s'); make it yes or no",
                    value=bind.get("required"),
                ),
            )
        elif required:
            question["required"] = True
            message = self.text(element.get("bind", {}).get("jr:requiredMsg"), ("questions", name, "required_message"))
            if message:
                question["required_message"] = message
        ok, constraint = self.expression(name, "constraint", bind.get("constraint"))
        if ok and constraint:
            question["constraint"] = constraint
            message = self.text(
                element.get("bind", {}).get("jr:constraintMsg"), ("questions", name, "constraint_message")
            )
            if message:
                question["constraint_message"] = message
        for key, kind in EXTENSION_COLUMNS.items():
            value = element.get(key)
            if isinstance(value, dict):  # a text column in several languages (min_label::Cymraeg (cy))
                value = self.text(value, ("questions", name, key) if key in languages.QUESTION_TEXTS else None)
            if value is None or value == "":
                continue
            question[key] = _typed(str(value).strip(), kind, question["type"])
        return question


_COLUMN_ADVICE = {
    "default": Message(
        "a default worked out from other answers or functions is not supported; give a fixed answer (like 3, yes, "
        "2026-01-31 or 14:30), or use a calculate row in the condition that needs it"
    ),
    "audio": Message("sounds and videos in questions are not supported; remove the audio and video columns"),
    "calculation": Message(
        "a question with a calculation is not supported; use a calculate row (conditions may use it)"
    ),
}
#: a loader problem's place, pointed at the sheet's row
_NAMED = {"question": N_("question '%(name)s'"), "page": N_("page '%(name)s'")}
_LEFT_OUT = (N_("uses %(names)s, which was left out"), N_("uses %(names)s, which were left out"))


_DYNAMIC_DEFAULT_RE = re.compile(r"\$\{|[A-Za-z_][A-Za-z0-9_-]*\s*\(")


def _default_text(value, question_type: str) -> str:
    """A default cell as the definition's text: dates and times as pyxform gives them from date cells trimmed."""
    text = str(value).strip()
    if question_type == "date":
        match = _DATE_TIME_RE.match(text)
        return match.group(1) if match else text
    if question_type == "time":
        match = re.fullmatch(r"(\d{2}:\d{2}):00", text)
        return match.group(1) if match else text
    if question_type == "datetime":
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:00)?", text)
        return f"{match.group(1)}T{match.group(2)}" if match else text
    return text


def _or_other_condition(name: str, relevant):
    """pyxform's condition on the text question `or_other` adds, in the engine's language."""
    match = re.fullmatch(r"selected\(\.\./([A-Za-z_][A-Za-z0-9_]*), 'other'\)", str(relevant or ""))
    if match and name == f"{match.group(1)}_other":
        return "selected(${" + match.group(1) + "}, 'other')"
    return relevant


def _follows_its_select(question: dict, page: dict) -> bool:
    last = page["questions"][-1]["name"]
    return question["name"] == f"{last}_other" and question.get("relevant") == "selected(${" + last + "}, 'other')"


def _all_of(parts: list[str]) -> str | None:
    parts = [p for p in parts if p]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " and ".join(f"({p})" for p in parts)


#: a choice's keys in pyxform's JSON that are not columns of its own (the value, the label, pictures and sounds)
_CHOICE_KEYS = frozenset({"name", "label", "media", "image", "audio", "video", "big-image"})


def _extra_columns(choice: dict) -> dict[str, str]:
    """A choice's other columns (`region` for a choice filter), as text; a column in several languages
    (`region::Cymraeg (cy)`) keeps its default language's text."""
    extra = {}
    for key, value in choice.items():
        if key in _CHOICE_KEYS or not isinstance(key, str):
            continue
        if isinstance(value, dict):
            value = value.get("default", next(iter(value.values()), None))
        if value is None or isinstance(value, (dict, list)):
            continue
        extra[key] = str(value)
    return extra


def _pairs(choices: list[dict]) -> tuple[tuple[str, str], ...]:
    return tuple((c["value"], c["label"]) for c in choices)


def _typed(text: str, kind: str, question_type: str):
    """An extension column's cell as the definition's value (the loader checks it)."""
    if kind == "flag":
        flag = _is_true(text)
        return text if flag is None else flag
    if kind == "whole" or (kind == "bound" and question_type in ("integer", "rating")):
        return int(text) if re.fullmatch(r"-?\d{1,18}", text) else text
    if kind == "bound" and question_type == "date":
        match = _DATE_TIME_RE.match(text)
        return match.group(1) if match else text
    return text

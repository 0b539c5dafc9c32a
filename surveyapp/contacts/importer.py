"""Import contacts from a CSV file: match headers, normalise, upsert by email, report by line.

Promises:
- headers match case- and space-insensitively; an email column is required
  ("email", "Email Address", "e-mail"...), a name column is optional, and every
  other column becomes a contact attribute (heading lower-cased, spaces to "_");
- UTF-8 with or without BOM, CRLF or LF, blank lines and stray spaces are fine;
- re-importing the same file changes nothing (upsert by normalised email; an
  empty cell never deletes what is stored);
- an invalid row is not imported and is reported with its line number in the
  file (the header is line 1) and the reason; the first row of an email
  repeated within the file wins and the repeats are reported;
- the work is a handful of set-based statements, not a query per row;
- the problems are grouped by kind for the page (the first SHOWN_PER_KIND of each,
  with counts), and the full list is kept as a CSV (store_problem_report) for
  REPORT_KEEP_DAYS, so a file of 300,000 bad rows gives a small page and a download.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import any_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..analysis import tallies
from ..models import Contact, ContactAttribute, ContactImportReport, ContactList, ContactListMember, utcnow
from ..spreadsheet_cells import neutralise
from .emails import EmailNormaliser, InvalidEmail

EMAIL_HEADINGS = {"email", "emailaddress", "mail", "emailaddr"}
NAME_HEADINGS = {"name", "fullname", "contactname"}
MAX_NAME = 300
MAX_VALUE = 500
MAX_ATTRIBUTE_NAME = 100
CHUNK = 500  # bound parameters per IN (...) query: well under SQLite's limit
_SPACES = re.compile(r"\s+")
SHOWN_PER_KIND = 100
REPORT_KEEP_DAYS = 7
QUOTED_MAX = 100  # characters of a bad value quoted in a reason
# The kinds of problem, in the order the report lists them.
PROBLEM_KINDS = {
    "unreadable": lazy_gettext("Lines that cannot be read as CSV"),
    "too_many_values": lazy_gettext("Rows with more values than the header names"),
    "no_email": lazy_gettext("Rows without an email address"),
    "invalid_email": lazy_gettext("Invalid email addresses"),
    "repeated_email": lazy_gettext("Email addresses repeated in the file"),
    "name_too_long": lazy_gettext("Names that are too long"),
    "value_too_long": lazy_gettext("Attribute values that are too long"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not UTF-8, no email column...)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str
    kind: str = field(default="invalid_email", compare=False)  # a key of PROBLEM_KINDS


@dataclass
class ProblemGroup:
    kind: str
    label: str
    count: int = 0
    shown: list[RowProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    list_name: str | None = None
    added_to_list: int = 0

    @property
    def invalid(self) -> int:
        return len(self.problems)

    def problem_groups(self, shown_per_kind: int = SHOWN_PER_KIND) -> list[ProblemGroup]:
        """Each kind of problem with its count and its first `shown_per_kind` rows, in PROBLEM_KINDS order."""
        groups = {kind: ProblemGroup(kind, label) for kind, label in PROBLEM_KINDS.items()}
        for problem in self.problems:
            group = groups[problem.kind]
            group.count += 1
            if len(group.shown) < shown_per_kind:
                group.shown.append(problem)
        return [g for g in groups.values() if g.count]

    def problems_csv(self) -> str:
        """Every problem as CSV (line, kind, reason), cells neutralised against spreadsheet formulas."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["line", "kind", "reason"])
        writer.writerows([p.line, p.kind, neutralise(p.reason)] for p in self.problems)
        return out.getvalue()

    def summary(self) -> str:
        text = f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, invalid {self.invalid}"
        if self.list_name:
            text += f"; {self.added_to_list} added to list “{self.list_name}”"
        return text


@dataclass
class _Row:
    line: int
    email: str
    name: str | None
    attributes: dict[str, str]


def _heading_key(heading: str) -> str:
    return re.sub(r"[\s_\-]+", "", heading.strip().lower())


def _attribute_name(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


def _quoted(value: str) -> str:
    return value if len(value) <= QUOTED_MAX else value[:QUOTED_MAX] + "…"


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped), or ImportFileError in plain English."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            gettext("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”.")
        ) from None


def parse_csv(text: str, report: ImportReport) -> list[_Row]:
    """The valid rows of the file; problems go into the report."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    while header is None:
        try:
            cells = next(reader)
        except StopIteration:
            raise ImportFileError(
                gettext("The file is empty: the first line must name the columns, one of them “email”.")
            ) from None
        except csv.Error as exc:
            raise ImportFileError(gettext("Line %(line)s: %(reason)s", line=reader.line_num, reason=str(exc))) from None
        if any(c.strip() for c in cells):
            header, header_line = cells, reader.line_num
    if header_line != 1:
        report.warnings.append(f"The column headings are on line {header_line}; the lines before it are empty.")

    email_col, name_col = None, None
    attribute_cols: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = _heading_key(heading)
        if not key:
            report.warnings.append(f"Column {index + 1} has no heading and was ignored.")
            continue
        if key in seen:
            raise ImportFileError(
                gettext(
                    "Columns %(first)s and %(second)s have the same heading “%(heading)s”.",
                    first=seen[key] + 1,
                    second=index + 1,
                    heading=heading.strip(),
                )
            )
        seen[key] = index
        if key in EMAIL_HEADINGS and email_col is None:
            email_col = index
        elif key in NAME_HEADINGS and name_col is None:
            name_col = index
        else:
            name = _attribute_name(heading)
            if len(name) > MAX_ATTRIBUTE_NAME:
                raise ImportFileError(
                    gettext(
                        "Column %(column)s: the heading is longer than %(max)s characters.",
                        column=index + 1,
                        max=MAX_ATTRIBUTE_NAME,
                    )
                )
            attribute_cols.append((index, name))
    if email_col is None:
        raise ImportFileError(
            gettext("No email column: one column heading must be “email” (or “Email address”, “e-mail”).")
        )

    normaliser = EmailNormaliser()
    rows: list[_Row] = []
    first_line_of: dict[str, int] = {}
    width = len(header)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.problems.append(
                RowProblem(line, gettext("cannot be read as CSV (%(reason)s)", reason=str(exc)), "unreadable")
            )
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.problems.append(
                RowProblem(
                    line,
                    gettext(
                        "has %(values)s values but the header names %(columns)s columns",
                        values=len(cells),
                        columns=width,
                    ),
                    "too_many_values",
                )
            )
            continue
        raw_email = cells[email_col].strip() if email_col < len(cells) else ""
        try:
            email = normaliser.normalise(raw_email)
        except InvalidEmail as exc:
            if not raw_email:
                report.problems.append(RowProblem(line, gettext("has no email address"), "no_email"))
            else:
                reason = gettext(
                    "“%(email)s” is not a valid email address: %(reason)s", email=_quoted(raw_email), reason=str(exc)
                )
                report.problems.append(RowProblem(line, reason, "invalid_email"))
            continue
        if email in first_line_of:
            report.problems.append(
                RowProblem(
                    line,
                    gettext(
                        "repeats the email address on line %(line)s (%(email)s)", line=first_line_of[email], email=email
                    ),
                    "repeated_email",
                )
            )
            continue
        name = _clean(cells[name_col]) if name_col is not None and name_col < len(cells) else ""
        if len(name) > MAX_NAME:
            report.problems.append(
                RowProblem(line, gettext("the name is longer than %(max)s characters", max=MAX_NAME), "name_too_long")
            )
            continue
        attributes = {}
        too_long = None
        for index, attribute in attribute_cols:
            value = _clean(cells[index]) if index < len(cells) else ""
            if len(value) > MAX_VALUE:
                too_long = attribute
            elif value:
                attributes[attribute] = value
        if too_long:
            reason = gettext(
                "the value of “%(attribute)s” is longer than %(max)s characters", attribute=too_long, max=MAX_VALUE
            )
            report.problems.append(RowProblem(line, reason, "value_too_long"))
            continue
        first_line_of[email] = line
        rows.append(_Row(line, email, name or None, attributes))
    return rows


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _matching(session: Session, columns: tuple, key, values: list):
    """Rows whose `key` column is one of `values`.

    PostgreSQL: ONE query, `key = ANY(:array)`. Not chunks of `IN (:v1, ..., :v500)`:
    psycopg prepares a statement once it has run 5 times, and PostgreSQL then
    switches to a generic plan. On a freshly loaded table (no statistics yet) that
    plan is a sequential scan whose IN list holds parameters, not constants, so it
    cannot be hashed: every row is compared with each of the 500 values. Measured:
    the 6 first chunks took 5 ms each, every later one 210-310 ms, and a 50,000-row
    re-import took 108 s. One array value is planned once, with its values known
    (hashed or index look-up). SQLite has no arrays, and its IN lists are fast: chunks.
    """
    if not values:
        return []
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("values", values, type_=postgresql.ARRAY(key.type))
        return session.execute(select(*columns).where(key == any_(array))).all()
    rows = []
    for chunk in _chunks(values):
        rows.extend(session.execute(select(*columns).where(key.in_(chunk))).all())
    return rows


def _insert(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows in the caller's transaction.

    PostgreSQL: COPY (psycopg's `cursor.copy`, values adapted by psycopg, identifiers
    from our own metadata, quoted): executemany sends one INSERT per row, 150,000 of
    them for a 50,000-contact file (10 s). SQLite: Core executemany, already fast.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    quote = session.get_bind().dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    driver_connection = session.connection().connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def import_contacts(session: Session, data: bytes | str, list_name: str | None = None) -> ImportReport:
    """Upsert the contacts of a CSV file (bytes or text) in the caller's transaction."""
    report = ImportReport(list_name=(list_name or "").strip() or None)
    text = decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    rows = parse_csv(text, report)

    existing: dict[str, tuple[int, str | None]] = {
        email: (contact_id, name)
        for contact_id, email, name in _matching(
            session, (Contact.id, Contact.email, Contact.name), Contact.email, [r.email for r in rows]
        )
    }
    stored_attributes: dict[int, dict[str, tuple[int, str]]] = {}
    for attribute_id, contact_id, name, value in _matching(
        session,
        (ContactAttribute.id, ContactAttribute.contact_id, ContactAttribute.name, ContactAttribute.value),
        ContactAttribute.contact_id,
        [v[0] for v in existing.values()],
    ):
        stored_attributes.setdefault(contact_id, {})[name] = (attribute_id, value)

    now = utcnow()
    new_rows = [r for r in rows if r.email not in existing]
    name_updates, attribute_updates, attribute_inserts = [], [], []
    moved: set[int] = set()
    contact_ids: list[int] = []
    for row in rows:
        if row.email not in existing:
            continue
        contact_id, stored_name = existing[row.email]
        contact_ids.append(contact_id)
        name_changed = row.name is not None and row.name != stored_name
        changed = name_changed
        stored = stored_attributes.get(contact_id, {})
        for name, value in row.attributes.items():
            if name not in stored:
                attribute_inserts.append({"contact_id": contact_id, "name": name, "value": value})
                changed = True
                moved.add(contact_id)
            elif stored[name][1] != value:
                attribute_updates.append({"id": stored[name][0], "value": value})
                changed = True
                moved.add(contact_id)
        if changed:
            report.updated += 1
            name_updates.append(
                {"id": contact_id, "name": row.name if name_changed else stored_name, "updated_at": now}
            )
        else:
            report.unchanged += 1

    if new_rows:
        # A bulk insert (_insert), then the ids by email: several times faster than ORM bulk insert with RETURNING.
        _insert(
            session,
            Contact.__table__,
            [{"email": r.email, "name": r.name, "created_at": now, "updated_at": now} for r in new_rows],
        )
        ids: dict[str, int] = {
            email: contact_id
            for contact_id, email in _matching(
                session, (Contact.id, Contact.email), Contact.email, [r.email for r in new_rows]
            )
        }
        for row in new_rows:
            contact_id = ids[row.email]
            contact_ids.append(contact_id)
            attribute_inserts.extend(
                {"contact_id": contact_id, "name": n, "value": v} for n, v in row.attributes.items()
            )
        report.created = len(new_rows)
    if name_updates:
        session.execute(update(Contact), name_updates)
    # Contacts whose responses are counted already: their segment rows in the tallies move with the attributes.
    tallies.contacts_changing(session, sorted(moved), -1)
    if attribute_updates:
        session.execute(update(ContactAttribute), attribute_updates)
    if attribute_inserts:
        _insert(session, ContactAttribute.__table__, attribute_inserts)
    tallies.contacts_changing(session, sorted(moved), +1)

    if report.list_name:
        report.added_to_list = add_to_list(session, report.list_name, contact_ids)
    return report


def get_or_create_list(session: Session, name: str) -> ContactList:
    contact_list = session.scalar(select(ContactList).where(ContactList.name == name))
    if contact_list is None:
        contact_list = ContactList(name=name)
        session.add(contact_list)
        session.flush()
    return contact_list


def add_to_list(session: Session, list_name: str, contact_ids: list[int]) -> int:
    """Add contacts to a list (created if new); returns how many were not members yet."""
    contact_list = get_or_create_list(session, list_name)
    members = set(
        session.scalars(select(ContactListMember.contact_id).where(ContactListMember.list_id == contact_list.id))
    )
    new = sorted(set(contact_ids) - members)
    if new:
        _insert(session, ContactListMember.__table__, [{"list_id": contact_list.id, "contact_id": c} for c in new])
    return len(new)


def store_problem_report(
    session: Session, report: ImportReport, filename: str, user_id: int | None
) -> ContactImportReport | None:
    """Keep the full problem list for download (gzipped CSV); drops reports older than REPORT_KEEP_DAYS."""
    session.execute(
        delete(ContactImportReport).where(ContactImportReport.created_at < utcnow() - timedelta(days=REPORT_KEEP_DAYS))
    )
    if not report.problems:
        return None
    row = ContactImportReport(
        filename=filename[:200],
        user_id=user_id,
        problem_count=len(report.problems),
        problems_csv_gz=gzip.compress(report.problems_csv().encode("utf-8"), compresslevel=6),
    )
    session.add(row)
    session.flush()
    return row


def problem_report_csv(row: ContactImportReport) -> bytes:
    """The stored report as UTF-8 CSV with a BOM (so Excel reads it as UTF-8)."""
    return b"\xef\xbb\xbf" + gzip.decompress(row.problems_csv_gz)

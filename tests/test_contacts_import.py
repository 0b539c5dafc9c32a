"""Contact CSV import: messy files, exact reports, upserts, lists, and the email fast path."""

from __future__ import annotations

import re

import pytest
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from surveyapp.contacts.emails import EmailNormaliser, InvalidEmail
from surveyapp.contacts.importer import ImportFileError, RowProblem, import_contacts
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Contact, ContactAttribute, ContactList, ContactListMember

MESSY = (
    "\ufeffEmail Address , Name ,PCT, Practice Code\r\n"  # 1
    " Alice.Smith@Example.ORG , Dr Alice Smith ,north,N81001\r\n"  # 2
    "\r\n"  # 3
    "bob@example.org,<script>alert(1)</script>,south,S81002\r\n"  # 4
    "BOB@EXAMPLE.ORG,Bob again,south,S81002\r\n"  # 5 repeat of 4
    "not-an-email,Someone,east,E1\r\n"  # 6
    ",No Email,east,E2\r\n"  # 7
    'carol@example.org,"=HYPERLINK(""http://evil.example"")",east,E81003\r\n'  # 8
    "dave@example..org,Dave,north,N1\r\n"  # 9
    "\r\n"  # 10
    "  erin@example.org  ,  Erin   Jones ,  north ,  N81004  \r\n"  # 11
).encode()

EXPECTED_PROBLEMS = [
    RowProblem(5, "repeats the email address on line 4 (bob@example.org)"),
    RowProblem(6, "“not-an-email” is not a valid email address: An email address must have an @-sign."),
    RowProblem(7, "has no email address"),
    RowProblem(
        9, "“dave@example..org” is not a valid email address: An email address cannot have two periods in a row."
    ),
]


def _contacts():
    return {c.email: c for c in db.session.scalars(select(Contact))}


def test_messy_csv_gives_the_exact_report(app):
    report = import_contacts(db.session, MESSY)
    db.session.commit()
    assert (report.created, report.updated, report.unchanged, report.invalid) == (4, 0, 0, 4)
    assert report.problems == EXPECTED_PROBLEMS
    assert report.warnings == []
    contacts = _contacts()
    assert sorted(contacts) == ["alice.smith@example.org", "bob@example.org", "carol@example.org", "erin@example.org"]
    assert contacts["alice.smith@example.org"].name == "Dr Alice Smith"
    assert contacts["erin@example.org"].name == "Erin Jones"
    assert contacts["erin@example.org"].attribute_map() == {"pct": "north", "practice_code": "N81004"}
    # Stored as given; escaping happens where it is shown, neutralising in exports.
    assert contacts["bob@example.org"].name == "<script>alert(1)</script>"
    assert contacts["carol@example.org"].name == '=HYPERLINK("http://evil.example")'


def test_reimporting_the_same_file_changes_nothing(app):
    import_contacts(db.session, MESSY)
    db.session.commit()
    before = {c.email: (c.name, c.updated_at, c.attribute_map()) for c in _contacts().values()}
    attribute_rows = db.session.scalar(select(func.count()).select_from(ContactAttribute))
    report = import_contacts(db.session, MESSY)
    db.session.commit()
    assert (report.created, report.updated, report.unchanged, report.invalid) == (0, 0, 4, 4)
    db.session.expire_all()
    after = {c.email: (c.name, c.updated_at, c.attribute_map()) for c in _contacts().values()}
    assert after == before
    assert db.session.scalar(select(func.count()).select_from(ContactAttribute)) == attribute_rows


def test_changed_values_update_and_empty_cells_keep_what_is_stored(app):
    import_contacts(db.session, "email,name,pct,language\na@example.org,Dr A,north,en\nb@example.org,Dr B,south,\n")
    db.session.commit()
    report = import_contacts(
        db.session,
        "E-mail,Name,PCT,language\nA@example.org,,east,\nb@example.org,Dr B,south,cy\nc@example.org,Dr C,,\n",
    )
    db.session.commit()
    assert (report.created, report.updated, report.unchanged, report.invalid) == (1, 2, 0, 0)
    contacts = _contacts()
    assert contacts["a@example.org"].name == "Dr A"
    assert contacts["a@example.org"].attribute_map() == {"pct": "east", "language": "en"}
    assert contacts["b@example.org"].attribute_map() == {"pct": "south", "language": "cy"}
    assert contacts["c@example.org"].attribute_map() == {}


def test_list_option_adds_every_valid_contact_once(app):
    report = import_contacts(db.session, MESSY, "GPs 2026")
    db.session.commit()
    assert report.added_to_list == 4
    again = import_contacts(db.session, MESSY, "GPs 2026")
    db.session.commit()
    assert again.added_to_list == 0
    list_id = db.session.scalar(select(ContactList.id).where(ContactList.name == "GPs 2026"))
    assert db.session.scalar(select(func.count()).where(ContactListMember.list_id == list_id)) == 4


@pytest.mark.parametrize("heading", ["email", "Email", "EMAIL ADDRESS", "e-mail", " E-Mail Address "])
def test_email_heading_spellings_are_recognised(app, heading):
    report = import_contacts(db.session, f"{heading},Name\nx@example.org,X\n")
    assert report.created == 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"name,pct\nX,north\n", "No email column"),
        (b"", "The file is empty"),
        ("email,name\nx@example.org,Zo\xeb\n".encode("latin-1"), "not UTF-8"),
        (b"email,Email\nx@example.org,y@example.org\n", "same heading"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(app, data, message):
    with pytest.raises(ImportFileError, match=message):
        import_contacts(db.session, data)


def test_extra_values_and_headerless_columns_are_reported(app):
    report = import_contacts(db.session, "email,name,\nx@example.org,X,\ny@example.org,Y,,oops\n")
    assert report.created == 1
    assert report.problems == [RowProblem(3, "has 4 values but the header names 3 columns")]
    assert report.warnings == ["Column 3 has no heading and was ignored."]


def test_a_quoted_field_over_two_lines_keeps_later_line_numbers_right(app):
    report = import_contacts(db.session, 'email,name\na@example.org,"Dr\nTwo Lines"\nbad,X\n')
    assert report.problems[0].line == 4
    assert _contacts()["a@example.org"].name == "Dr Two Lines"


@pytest.mark.parametrize(
    "address",
    [
        "a@example.org",
        "A.B@Example.org",
        "a..b@example.org",
        ".a@example.org",
        "a.@example.org",
        "a+tag@example.org",
        "o'neil@example.org",
        "x" * 64 + "@example.org",
        "x" * 65 + "@example.org",
        "a@b@example.org",
        "a b@example.org",
        '"quoted"@example.org',
        "ü@example.org",
        "a@example.org.",
        "a@-example.org",
        "a@exa_mple.org",
        "a@" + "d" * 250 + ".org",
        "a@123.org",
        "postmaster@example.org",
    ],
)
def test_fast_path_agrees_with_email_validator(address):
    normaliser = EmailNormaliser()
    try:  # so that the domain, if valid, is known and the fast path is taken
        normaliser.normalise("warm-up@" + address.rsplit("@", 1)[-1])
    except InvalidEmail:
        pass
    try:
        expected = validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        expected = None
    try:
        got = normaliser.normalise(address)
    except InvalidEmail:
        got = None
    assert got == expected


def test_cli_import_prints_problems_and_counts_and_is_audited(app, runner, tmp_path):
    path = tmp_path / "gps.csv"
    path.write_bytes(MESSY)
    result = runner.invoke(args=["contacts", "import", str(path), "--list", "gps"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[:4] == [f"line {p.line}: {p.reason}" for p in EXPECTED_PROBLEMS]
    assert lines[-1] == "created 4, updated 0, unchanged 0, invalid 4; 4 added to list “gps”"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contacts.import"))
    assert audit.count == 4 and audit.actor == "cli"


def test_cli_import_of_a_missing_file_is_a_plain_error(runner, tmp_path):
    result = runner.invoke(args=["contacts", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "cannot be read" in result.output and "Traceback" not in result.output


def test_values_that_mean_something_to_copy_are_stored_as_written(app):
    # PostgreSQL imports with COPY: its NULL marker, end-of-data marker and escapes must stay plain text.
    csv = 'email,name,note\na@example.org,\\N,\\.\nb@example.org,"O\'Brien ""x"" \\ y",a\\tb\n'
    report = import_contacts(db.session, csv)
    db.session.commit()
    assert report.summary() == "created 2, updated 0, unchanged 0, invalid 0"
    contacts = {c.email: c for c in db.session.scalars(select(Contact))}
    assert contacts["a@example.org"].name == "\\N"
    assert contacts["a@example.org"].attribute_map() == {"note": "\\."}
    assert contacts["b@example.org"].name == 'O\'Brien "x" \\ y'
    assert contacts["b@example.org"].attribute_map() == {"note": "a\\tb"}
    again = import_contacts(db.session, csv)
    assert again.summary() == "created 0, updated 0, unchanged 2, invalid 0"


# --- large reports (issue 13, item 9) ----------------------------------------------------------------------


def _bad_rows_csv(n: int) -> bytes:
    lines = ["email,name"]
    for i in range(n):
        if i % 4 == 0:
            lines.append(f",no email {i}")
        elif i % 4 == 1:
            lines.append(f"=HYPERLINK(evil{i}),x")  # also a formula, for the CSV guard
        else:
            lines.append(f"not-an-email-{i},x")
    lines.append("good@example.org,Good")
    return ("\n".join(lines) + "\n").encode()


def test_a_huge_report_shows_a_bounded_page_and_offers_every_row_as_csv(app):
    import csv
    import io

    from auth_helpers import make_user, sign_in

    sign_in(client := app.test_client(), make_user("admin@example.org", "admin"))
    rows = 20_000
    response = client.post(
        "/admin/contacts/import",
        data={"file": (io.BytesIO(_bad_rows_csv(rows)), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(page) < 150_000, len(page)  # 20,000 rows in full were several MB
    assert "Rows without an email address" in page and "Invalid email addresses" in page
    assert "the first 100 of 5000" in page and "the first 100 of 15000" in page
    assert page.count('<td class="govuk-table__cell govuk-table__cell--numeric">') <= 2 * 100 + 2
    link = re.search(r'href="(/admin/contacts/imports/\d+/problems\.csv)"', page).group(1)

    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["line", "kind", "reason"]
    assert len(table) == rows + 1
    assert [int(r[0]) for r in table[1:]] == list(range(2, rows + 2))
    assert {r[1] for r in table[1:]} == {"no_email", "invalid_email"}
    # No cell starts a formula: the quoted bad value is inside the reason, and reasons starting with = get a '.
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in table for cell in r)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    audit = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert audit[-2:] == ["contacts.import", "contacts.import_report_downloaded"]


def test_a_reason_quotes_at_most_a_hundred_characters_of_a_bad_value(app):
    report = import_contacts(db.session, ("email\n" + "x" * 5000 + "\n").encode())
    assert len(report.problems[0].reason) < 200


def test_problem_groups_count_every_kind_and_keep_the_first_rows(app):
    report = import_contacts(db.session, _bad_rows_csv(1000))
    groups = {g.kind: g for g in report.problem_groups(shown_per_kind=10)}
    assert groups["no_email"].count == 250 and groups["invalid_email"].count == 750
    assert [p.line for p in groups["no_email"].shown] == list(range(2, 42, 4))


def test_the_problem_report_needs_an_admin_and_an_existing_report(app):
    from auth_helpers import make_user, sign_in

    from surveyapp.contacts.importer import store_problem_report

    stored = store_problem_report(db.session, import_contacts(db.session, b"email\nnope\n"), "f.csv", None)
    db.session.commit()
    analyst = app.test_client()
    sign_in(analyst, make_user("analyst@example.org", "analyst"))
    assert analyst.get(f"/admin/contacts/imports/{stored.id}/problems.csv").status_code == 403
    admin = app.test_client()
    sign_in(admin, make_user("admin@example.org", "admin"))
    assert admin.get(f"/admin/contacts/imports/{stored.id + 1}/problems.csv").status_code == 404
    assert admin.get(f"/admin/contacts/imports/{stored.id}/problems.csv").status_code == 200


def test_old_problem_reports_are_deleted(app):
    from datetime import timedelta

    from surveyapp.contacts.importer import store_problem_report
    from surveyapp.models import ContactImportReport, utcnow

    old = store_problem_report(db.session, import_contacts(db.session, b"email\nnope\n"), "old.csv", None)
    old.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    store_problem_report(db.session, import_contacts(db.session, b"email\nnope\n"), "new.csv", None)
    db.session.commit()
    assert db.session.scalars(select(ContactImportReport.filename)).all() == ["new.csv"]

"""Exports: one row per response, formula injection neutralised in CSV and XLSX, no emails, codebook, audit."""

import csv
import io
import threading

import pytest
from dashboard_data import add_contact, respond
from openpyxl import load_workbook
from test_dashboard_views import sign_in

from surveyapp.analysis.exports import neutralise
from surveyapp.extensions import db
from surveyapp.models import AuditEvent

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
YAML = """
slug: inject
title: Injection
pages:
  - name: one
    title: One
    questions:
      - name: pick
        type: single_choice
        label: Pick
        choices:
          - {value: "=cmd", label: "=1+2"}
          - {value: plain, label: Plain}
      - name: many
        type: multiple_choice
        label: Many
        choices:
          - {value: a, label: A}
          - {value: b, label: B}
      - name: howmany
        type: integer
        label: How many
        min: -100
        max: 100
      - name: said
        type: short_text
        label: Said
"""


@pytest.fixture
def inject(import_survey):
    survey = import_survey("inject", text=YAML)
    for i, text in enumerate(INJECTIONS):
        respond(
            survey,
            {
                "pick": "=cmd" if i % 2 else "plain",
                "many": ["a"] if i % 2 else ["a", "b"],
                "howmany": -5 + i,
                "said": text,
            },
            add_contact(f"secret{i}@example.org", **{"=area": "-north"}),
        )
    respond(survey, {"pick": "plain"}, add_contact("partial@example.org", **{"=area": "south"}))
    db.session.commit()
    return survey


def test_neutralise_prefixes_formula_starts_and_keeps_numbers():
    assert [neutralise(t) for t in INJECTIONS] == ["'" + t for t in INJECTIONS]
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise("safe") == "safe" and neutralise(None) is None


def test_csv_export_neutralises_text_cells_and_headers(client, inject):
    sign_in(client, "analyst")
    response = client.get("/dashboards/inject/export/responses.csv?labels=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert "'attr:=area" not in header  # it does not start with '=' ...
    assert "attr:=area" in header
    assert len(body) == len(INJECTIONS) + 1  # one row per response
    said = [row[header.index("said")] for row in body]
    for text in INJECTIONS:
        assert "'" + text in said
    assert "'=1+2" in [row[header.index("pick")] for row in body]
    assert "'-north" in [row[header.index("attr:=area")] for row in body]
    assert [row[header.index("howmany")] for row in body][:3] == ["-5", "-4", "-3"]
    # Multiple choice: one 0/1 column per option, blank when the question was not answered.
    assert [row[header.index("many.b")] for row in body] == ["1", "0", "1", "0", "1", "0", ""]


def test_csv_export_is_read_while_streamed_after_the_view_has_returned(client, inject):
    """As under a real server: no app context is pushed around the request (the test's own is in another
    thread), so Flask ends the request's database session before the streamed body is read."""
    sign_in(client, "analyst")
    db.session.commit()
    out = {}

    def download():
        try:
            out["body"] = client.get("/dashboards/inject/export/responses.csv").get_data(as_text=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    thread = threading.Thread(target=download)
    thread.start()
    thread.join(timeout=30)
    assert "error" not in out, out.get("error")
    assert len(list(csv.reader(io.StringIO(out["body"])))) == len(INJECTIONS) + 2  # header and every response


def test_csv_codes_export_has_codes(client, inject):
    sign_in(client, "analyst")
    rows = list(csv.reader(io.StringIO(client.get("/dashboards/inject/export/responses.csv").get_data(as_text=True))))
    assert "'=cmd" in [row[rows[0].index("pick")] for row in rows[1:]]


def test_xlsx_export_neutralises_text_and_keeps_numbers_numeric(client, inject):
    sign_in(client, "analyst")
    response = client.get("/dashboards/inject/export/responses.xlsx?labels=1")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["responses", "codebook"]
    sheet = workbook["responses"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"  # never a formula
    howmany = [row[header.index("howmany")] for row in rows[1:]]
    assert howmany[:3] == [-5, -4, -3] and all(isinstance(v, int) for v in howmany[:6])
    assert isinstance(rows[1][header.index("response_id")], int)
    codebook = [[c.value for c in row] for row in workbook["codebook"].iter_rows()]
    assert codebook[0][:4] == ["column", "question", "version", "type"]
    assert any(row[1] == "pick" and row[8] == "'=cmd" and row[9] == "'=1+2" for row in codebook)


def test_analyst_exports_never_contain_emails_or_names(client, inject):
    sign_in(client, "analyst")
    for name in ("responses.csv", "responses.csv?labels=1", "codebook.csv", "summary.csv"):
        body = client.get(f"/dashboards/inject/export/{name}").get_data(as_text=True)
        assert "@example.org" not in body and "secret" not in body and "Name of" not in body, name
    xlsx = load_workbook(io.BytesIO(client.get("/dashboards/inject/export/responses.xlsx").data))
    cells = " ".join(str(c.value) for ws in xlsx.worksheets for row in ws.iter_rows() for c in row)
    assert "@example.org" not in cells and "Name of" not in cells


def test_codebook_lists_questions_types_choices_and_conditions(client, import_survey):
    survey = import_survey("dashboard_mix")
    sign_in(client, "analyst")
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/dashboards/{survey.slug}/export/codebook.csv").get_data(as_text=True)))
    )
    pets = [r for r in rows if r["question"] == "pets"]
    assert pets[0]["type"] == "multiple_choice" and pets[0]["label"] == "Pets"
    assert [r["column"] for r in pets[1:]] == ["pets.cat", "pets.dog", "pets.fish"]


def test_publication_summary_is_disclosure_controlled(client, inject):
    sign_in(client, "analyst")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/dashboards/inject/export/summary.csv?exact=1").get_data(as_text=True)))
    )
    counts = [r["count"] for r in rows if r["count"]]
    assert counts and all(c == "*" or int(c) % 5 == 0 for c in counts)


def test_every_export_is_audited(client, inject):
    sign_in(client, "analyst")
    client.get("/dashboards/inject/export/responses.csv")
    client.get("/dashboards/inject/export/responses.xlsx?labels=1")
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "results.export").order_by(AuditEvent.id)
    ).all()
    assert [(e.target, e.count, e.survey_id) for e in events] == [
        ("responses.csv", 7, inject.id),
        ("responses.xlsx", 7, inject.id),
    ]

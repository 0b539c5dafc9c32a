"""XLSForm through the CLI and the admin pages: the same import service as YAML, the same messages."""

from __future__ import annotations

import io

import pytest
from auth_helpers import make_user, sign_in
from conftest import QUESTIONNAIRES
from sqlalchemy import func, select
from xlsform_helpers import SIMPLE_FORM, UNSUPPORTED_FORM, workbook

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Survey
from surveyapp.questionnaires.loader import load_definition_file
from surveyapp.questionnaires.xlsform import read_xlsform

GEOPOINT_PROBLEM = "sheet 'survey', row 3, type 'geopoint': a web survey here cannot record a location"


def _surveys() -> int:
    return db.session.scalar(select(func.count()).select_from(Survey))


# --- the CLI ------------------------------------------------------------------------------


def test_cli_imports_an_xlsform_through_the_same_service_as_yaml(runner, tmp_path):
    path = tmp_path / "simple.xlsx"
    path.write_bytes(SIMPLE_FORM)
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("simple-xlsform version 1 (new survey)")
    assert "note: form_id 'simple_xlsform' became the survey's slug 'simple-xlsform'" in result.output
    survey = db.session.scalar(select(Survey).where(Survey.slug == "simple-xlsform"))
    assert survey.title == "Simple XLSForm"
    assert [q.name for q in survey.current_version.questions] == ["where", "happy"]
    assert survey.current_version.source_text.lstrip().startswith("{")  # the definition, as JSON
    # importing it again replaces the unanswered version, as any import does
    again = runner.invoke(args=["surveys", "import", str(path)])
    assert "simple-xlsform version 1 (replaced: no one had answered it yet)" in again.output


def test_cli_refuses_an_unsupported_form_and_says_how_to_import_the_rest(runner, tmp_path):
    path = tmp_path / "partly.xlsx"
    path.write_bytes(UNSUPPORTED_FORM)
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}: 1 problem(s), nothing was imported:" in result.output
    assert GEOPOINT_PROBLEM in result.output
    assert "--skip-unsupported imports the rest" in result.output
    assert _surveys() == 0


def test_cli_skip_unsupported_imports_the_rest_and_lists_what_it_left_out(runner, tmp_path):
    path = tmp_path / "partly.xlsx"
    path.write_bytes(UNSUPPORTED_FORM)
    result = runner.invoke(args=["surveys", "import", "--skip-unsupported", str(path)])
    assert result.exit_code == 0, result.output
    assert "partly-supported version 1 (new survey)" in result.output
    assert f"left out: {GEOPOINT_PROBLEM}" in result.output
    survey = db.session.scalar(select(Survey).where(Survey.slug == "partly-supported"))
    assert [q.name for q in survey.current_version.questions] == ["name_given", "visits"]


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04garbage", SIMPLE_FORM[:500], b"\xd0\xcf\x11\xe0" + b"\x00" * 64], ids=str
)
def test_cli_damaged_workbooks_are_a_plain_error(runner, tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    result = runner.invoke(args=["surveys", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "nothing was imported" in result.output and _surveys() == 0


def test_cli_exports_a_survey_as_an_xlsform_that_imports_back_the_same(runner, import_survey, tmp_path):
    import_survey("dashboard_mix", status="draft")
    path = tmp_path / "out.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", "dash-mix", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"dash-mix version 1 written to {path}"
    original = load_definition_file(QUESTIONNAIRES / "dashboard_mix.yaml").to_dict()
    assert read_xlsform(path.read_bytes()).definition == original


def test_cli_export_of_an_unknown_survey_or_version_is_a_plain_error(runner, import_survey, tmp_path):
    unknown = runner.invoke(args=["surveys", "export-xlsform", "nope", str(tmp_path / "x.xlsx")])
    assert unknown.exit_code == 1 and "No survey with the slug 'nope'" in unknown.output
    import_survey("yes_no", status="draft")
    version = runner.invoke(
        args=["surveys", "export-xlsform", "test-yes-no", str(tmp_path / "x.xlsx"), "--version", "9"]
    )
    assert version.exit_code == 1 and "test-yes-no has no version 9" in version.output


# --- the admin pages -----------------------------------------------------------------------


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _upload(client, data: bytes, skip: bool = False, name: str = "form.xlsx"):
    fields = {"definition_file": (io.BytesIO(data), name)}
    if skip:
        fields["skip_unsupported"] = "y"
    return client.post("/admin/surveys/import", data=fields, content_type="multipart/form-data", follow_redirects=True)


def test_admin_upload_of_an_xlsform_imports_it_and_shows_the_notes(admin_client):
    page = _upload(admin_client, SIMPLE_FORM)
    assert page.status_code == 200
    assert "simple-xlsform version 1 (new survey)" in page.text
    assert "Note: form_id &#39;simple_xlsform&#39; became the survey&#39;s slug" in page.text
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "survey_imported")) == (
        "version 1 from the admin page (an XLSForm)"
    )


def test_admin_upload_refuses_unsupported_parts_unless_told_to_import_the_rest(admin_client):
    page = _upload(admin_client, UNSUPPORTED_FORM)
    assert page.status_code == 200 and _surveys() == 0
    assert "sheet &#39;survey&#39;, row 3, type &#39;geopoint&#39;" in page.text
    assert "tick &#39;import the rest&#39; to leave them out" in page.text
    assert 'href="#skip_unsupported"' in page.text
    page = _upload(admin_client, UNSUPPORTED_FORM, skip=True)
    assert "partly-supported version 1 (new survey)" in page.text
    assert "Left out: sheet &#39;survey&#39;, row 3, type &#39;geopoint&#39;" in page.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04garbage", "the file is not an Excel workbook (.xlsx)"),
        (workbook([["a"], ["b"]])[:-300], "the file is not an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "this is an old Excel .xls file"),
        (b"title: \xff\xfe", "The file must be UTF-8 text (YAML or JSON) or an Excel workbook (.xlsx)"),
    ],
    ids=["not-a-zip", "truncated", "xls", "binary"],
)
def test_admin_upload_of_a_damaged_file_is_a_message_never_a_500(admin_client, content, message):
    page = _upload(admin_client, content)
    assert page.status_code == 200 and message in page.text and _surveys() == 0


def test_admin_upload_without_a_survey_sheet_says_so(admin_client):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Questions"
    book.create_sheet("Notes")
    out = io.BytesIO()
    book.save(out)
    page = _upload(admin_client, out.getvalue())
    assert page.status_code == 200
    assert "no sheet named &#39;survey&#39; (its sheets: &#39;Questions&#39;, &#39;Notes&#39;)" in page.text


def test_admin_survey_page_links_each_version_to_its_xlsform_download(admin_client, import_survey):
    import_survey("multiple_choice", status="draft")
    page = admin_client.get("/admin/surveys/test-multiple-choice")
    assert 'href="/admin/surveys/test-multiple-choice/xlsform?version=1"' in page.text
    download = admin_client.get("/admin/surveys/test-multiple-choice/xlsform?version=1")
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "test-multiple-choice-v1.xlsx" in download.headers["Content-Disposition"]
    original = load_definition_file(QUESTIONNAIRES / "multiple_choice.yaml").to_dict()
    assert read_xlsform(download.data).definition == original
    assert admin_client.get("/admin/surveys/test-multiple-choice/xlsform?version=7").status_code == 404


# --- the JSON API ----------------------------------------------------------------------------


def _bearer(role: str) -> dict:
    from flask import g

    from surveyapp.services.tokens import issue_token

    user = make_user(f"xlsform-api-{role}@example.org", role)
    token, _ = issue_token(db.session, user)
    db.session.commit()
    g.pop("_login_user", None)
    return {"Authorization": f"Bearer {token}"}


def test_api_gives_the_xlsform_that_imports_back_the_same(client, import_survey):
    import_survey("dashboard_mix", status="draft")
    response = client.get("/api/surveys/dash-mix/xlsform", headers=_bearer("analyst"))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="dash-mix-v1.xlsx"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    original = load_definition_file(QUESTIONNAIRES / "dashboard_mix.yaml").to_dict()
    assert read_xlsform(response.data).definition == original


def test_api_xlsform_refuses_unknown_versions_roles_and_missing_tokens(client, import_survey):
    import_survey("yes_no", status="draft")
    admin = _bearer("admin")
    assert client.get("/api/surveys/test-yes-no/xlsform?version=1", headers=admin).status_code == 200
    missing = client.get("/api/surveys/test-yes-no/xlsform?version=9", headers=admin)
    assert missing.status_code == 404 and missing.get_json()["message"] == "The survey has no such version."
    assert client.get("/api/surveys/test-yes-no/xlsform?version=x", headers=admin).status_code == 400
    assert client.get("/api/surveys/nope/xlsform", headers=admin).status_code == 404
    assert client.get("/api/surveys/test-yes-no/xlsform").status_code == 401
    assert client.get("/api/surveys/test-yes-no/xlsform", headers=_bearer("volunteer")).status_code == 403

"""The surveys and invitations commands, and versions that freeze once answered."""

from conftest import QUESTIONNAIRES
from journey_helpers import Journey
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Question, Response, Survey, SurveyVersion


def test_import_prints_slug_and_version_and_list_shows_it(runner):
    result = runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "yes_no.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("test-yes-no version 1")
    listing = runner.invoke(args=["surveys", "list"])
    assert listing.output.splitlines() == ["test-yes-no\tv1\tdraft\tYes or no"] or listing.output.splitlines()[
        0
    ].startswith("test-yes-no\tv1\tdraft\t")


def test_broken_definition_reports_every_problem_and_imports_nothing(runner):
    result = runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "broken.yaml")])
    assert result.exit_code == 1
    output = result.output
    assert "Traceback" not in output
    assert "nothing was imported" in output
    for expected in (
        "line 17: question 'q1' on page 'first': unknown type 'single-choice'",
        "line 34: question 'q3' on page 'first': the name 'q3' is already used",
        "line 30: question 'q4' on page 'first': the choice list 'colours' is not defined",
        "'relevant' refers to unknown question 'nosuch'",
        "'relevant' has an error: The expression ends too early",
    ):
        assert expected in output
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_import_of_missing_or_non_text_file_is_a_plain_error(runner, tmp_path):
    missing = runner.invoke(args=["surveys", "import", str(tmp_path / "nope.yaml")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    binary = tmp_path / "form.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage")
    result = runner.invoke(args=["surveys", "import", str(binary)])
    assert result.exit_code == 1 and "cannot be read as UTF-8" in result.output


def test_open_and_close(runner):
    runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "yes_no.yaml")])
    assert runner.invoke(args=["surveys", "open", "test-yes-no"]).output == "test-yes-no is open\n"
    assert db.session.scalar(select(Survey.status)) == "open"
    assert runner.invoke(args=["surveys", "close", "test-yes-no"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(Survey.status)) == "closed"
    unknown = runner.invoke(args=["surveys", "open", "nope"])
    assert unknown.exit_code == 1 and "No survey with the slug 'nope'" in unknown.output


def test_reimport_replaces_an_unanswered_version_but_freezes_an_answered_one(runner, client, invite, tmp_path):
    source = (QUESTIONNAIRES / "yes_no.yaml").read_text()
    first = runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "yes_no.yaml")])
    assert "version 1" in first.output
    again = runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "yes_no.yaml")])
    assert "version 1" in again.output and "replaced" in again.output
    runner.invoke(args=["surveys", "open", "test-yes-no"])

    survey = db.session.scalar(select(Survey))
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    journey.answer("main", {"smoker": "yes"})

    changed = tmp_path / "v2.yaml"
    changed.write_text(
        source.replace("Do you smoke?", "Do you smoke now?") if "Do you smoke?" in source else source + "\n"
    )
    result = runner.invoke(args=["surveys", "import", str(changed)])
    assert "test-yes-no version 2 (new version)" in result.output
    versions = db.session.scalars(select(SurveyVersion.number).order_by(SurveyVersion.number)).all()
    assert versions == [1, 2]
    # the response stays on the version it answered, and can still be finished there
    response = db.session.scalar(select(Response))
    assert db.session.get(SurveyVersion, response.version_id).number == 1
    assert "Your answers have been sent" in journey.submit().get_data(as_text=True)
    # each version has its own question rows
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.name == "smoker")) == 2


def test_invitations_create_prints_one_full_link_a_line(runner, client):
    runner.invoke(args=["surveys", "import", str(QUESTIONNAIRES / "yes_no.yaml")])
    runner.invoke(args=["surveys", "open", "test-yes-no"])
    result = runner.invoke(args=["invitations", "create", "test-yes-no"])
    assert result.exit_code == 0
    links = result.output.split()
    assert len(links) == 1 and links[0].startswith("http://surveys.test/s/")
    path = links[0].removeprefix("http://surveys.test")
    assert "Start now" in client.get(path).get_data(as_text=True)


def test_demo_loads_both_questionnaires_with_realistic_figures(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    from surveyapp.models import Contact, Invitation

    gp = db.session.scalar(select(Survey).where(Survey.slug == "gp-iapt"))
    # The GP survey's 206 (the demo's first round adds a few to its own carers' survey).
    assert db.session.scalar(select(func.count()).select_from(Invitation).where(Invitation.survey_id == gp.id)) == 206
    completed = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.survey_id == gp.id, Response.status == "completed", Response.collection_mode == "link")
    )
    assert completed == 20
    slugs = db.session.scalars(select(Survey.slug).order_by(Survey.slug)).all()
    assert slugs == ["carers-support", "gp-iapt", "phb-interview"]  # carers-support: the first round to run
    interviews = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.collection_mode == "interview")
    )
    assert interviews >= 10
    assert not any("nhs.uk" in e for e in db.session.scalars(select(Contact.email)))
    again = runner.invoke(args=["demo"])
    assert "loaded already" in again.output and "admin@example.org" in again.output  # printed every time

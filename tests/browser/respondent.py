"""What the respondent journeys share: the demo GP survey and where a GP's personal link comes from."""
from __future__ import annotations

from pathlib import Path

from surveyapp.extensions import db

DEMO_GP_SURVEY = Path(__file__).resolve().parents[2] / "surveyapp" / "demo" / "gp_iapt.yaml"


def open_gp_survey(import_survey):
    """The demo GP questionnaire (conditions within and across pages, every common input type), open."""
    survey = import_survey("gp_iapt", text=DEMO_GP_SURVEY.read_text(encoding="utf-8"))
    slug = survey.slug
    release_database()
    return slug


def personal_link(app, slug: str) -> str:
    """A GP's personal link, as an admin gets it from `flask invitations create SLUG`.

    The one place the journeys get their link from (to be replaced by the link in
    the email that arrives at a local SMTP server).
    """
    result = app.test_cli_runner().invoke(args=["invitations", "create", slug])
    assert result.exit_code == 0, result.output
    links = [line for line in result.output.splitlines() if line.startswith("http")]
    assert len(links) == 1, result.output
    release_database()
    return links[0]


def release_database() -> None:
    """End the test thread's transaction so the live server's threads can write (SQLite locks the file)."""
    db.session.commit()
    db.session.close()

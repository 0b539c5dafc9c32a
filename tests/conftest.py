"""Fixtures: a fresh app and database per test, on SQLite or (with TEST_DATABASE_URL) PostgreSQL.

`CI=true` turns a missing prerequisite (PostgreSQL, Chromium, the npm assets)
into a failure instead of a skip.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_database_url
from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import TallyState
from surveyapp.models.funnel_tallies import FUNNEL_STATE_ID

HERE = Path(__file__).parent
QUESTIONNAIRES = HERE / "questionnaires"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """The interface catalogues as `make translations` compiles them, rebuilt here when a .po is newer
    than its .mo (someone ran pytest straight after editing a translation)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from surveyapp.i18n import TRANSLATIONS, catalogue

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))
    catalogue.cache_clear()


def need(condition: bool, reason: str) -> None:
    """Skip locally when a prerequisite is missing; fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing prerequisite in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One database for the session; tables are emptied between tests."""
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)  # psycopg 3, however the URL is spelt
        _create_database_if_missing(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def _create_database_if_missing(url: str) -> None:
    """CI (and a developer) may name a fresh PostgreSQL database: create it through the server's own."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote_identifier(target.database)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SURVEYAPP_ENV": "testing", "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # The test database's commits need not wait for the disk (tests/load's restart test has its own
            # cluster); the setting applies to the connections opened after it, that is every test's.
            with db.engine.connect() as connection:
                name = connection.dialect.identifier_preparer.quote_identifier(db.engine.url.database)
                connection.execute(text(f"ALTER DATABASE {name} SET synchronous_commit = off"))
                connection.commit()
            db.engine.dispose()
        db.drop_all()
        db.create_all()
    return True


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql" and _is_superuser():
        # DELETE with triggers (and so foreign-key checks) off, then every sequence back to 1, as TRUNCATE
        # RESTART IDENTITY would: TRUNCATE gives each of the 30-odd tables new files, synced to disk at
        # commit, and took 0.5-1.4 s per test against 15 ms for this (the PostgreSQL pass is ~2,000 tests).
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
    elif db.engine.dialect.name == "postgresql":  # a role that may not turn triggers off
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The invitation tallies last: emptying the other tables moves them (their triggers).
        for table in sorted(tables, key=lambda t: t.name == "invitation_tally"):
            db.session.execute(table.delete())
    # As create_all leaves it: the dashboards' tallies exist, empty, kept from the first response.
    db.session.execute(TallyState.__table__.insert().values([{"id": 1}, {"id": FUNNEL_STATE_ID}]))
    db.session.commit()


def _is_superuser() -> bool:
    return db.session.scalar(text("SELECT current_setting('is_superuser')")) == "on"


def make_app(database_url: str, **overrides):
    config = {
        "SURVEYAPP_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret-key-" + "k" * 40,
        "SURVEYAPP_BASE_URL": "http://surveys.test",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(database_url, _schema):
    app = make_app(database_url)
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()  # each test's app has its own pool: close its connections (PostgreSQL counts them)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the app's mail worker delivers to."""
    from smtp_sink import SMTPSink

    sink = SMTPSink().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_TIMEOUT=5)
    yield sink
    sink.stop()


@pytest.fixture
def import_survey(app):
    """Import a test questionnaire by file name (tests/questionnaires/NAME.yaml) and open it."""
    from surveyapp.services.surveys import import_definition, set_status

    def _import(name: str, status: str = "open", text: str | None = None):
        source = text if text is not None else (QUESTIONNAIRES / f"{name}.yaml").read_text()
        result = import_definition(db.session, source, name)
        if status != "draft":
            set_status(db.session, result.survey, status)
        db.session.commit()
        return result.survey

    return _import


@pytest.fixture
def invite(app):
    """Invite a made-up contact to a survey; returns (invitation, token, path)."""
    from surveyapp.models import Contact
    from surveyapp.services import invitations as invitation_service
    from surveyapp.services.links import invitation_token

    def _invite(survey):
        contact = Contact(email=f"respondent-{secrets.token_hex(6)}@example.invalid")
        db.session.add(contact)
        db.session.flush()
        invitation = invitation_service.invite(db.session, survey, contacts=[contact])[0]
        db.session.commit()
        token = invitation_token(invitation)
        return invitation, token, f"/s/{token}"

    return _invite


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)

"""Configuration safety, SQLite settings, and migrations that match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from config import ConfigError, check_production_config, config_from_env
from surveyapp import create_app
from surveyapp.extensions import db

STRONG = "Vb3_kq9-Zx81LmT0pQrStUvWxYz2468AcEgI"


def production(**env):
    base = {
        "SURVEYAPP_ENV": "production",
        "SECRET_KEY": STRONG,
        "SURVEYAPP_BASE_URL": "https://surveys.example.org",
        "MAIL_SERVER": "smtp.example.org",
    }
    base.update(env)
    return config_from_env(base, instance_path="/tmp")


@pytest.mark.parametrize("secret", ["", "dev", "changeme", "short-key", "a" * 64])
def test_production_refuses_a_missing_or_weak_secret(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY is missing or weak"):
        check_production_config(production(SECRET_KEY=secret))


def test_production_refuses_debug_and_missing_settings():
    with pytest.raises(ConfigError, match="debug mode is on"):
        check_production_config(production(FLASK_DEBUG="1"))
    with pytest.raises(ConfigError, match="SURVEYAPP_BASE_URL is not set"):
        check_production_config(production(SURVEYAPP_BASE_URL=""))
    with pytest.raises(ConfigError, match="MAIL_SERVER is not set"):
        check_production_config(production(MAIL_SERVER=""))


def test_production_starts_with_safe_settings(monkeypatch, tmp_path):
    for key, value in {
        "SURVEYAPP_ENV": "production",
        "SECRET_KEY": STRONG,
        "MAIL_SERVER": "localhost",
        "SURVEYAPP_BASE_URL": "https://surveys.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
    }.items():
        monkeypatch.setenv(key, value)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ConfigError):
        create_app()


def test_environment_is_production_unless_told_otherwise():
    assert config_from_env({}, instance_path="/tmp")["SURVEYAPP_ENV"] == "production"


def test_postgres_urls_use_psycopg3():
    cfg = config_from_env({"SURVEYAPP_ENV": "development", "DATABASE_URL": "postgres://u@h/db"}, instance_path="/tmp")
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    # Always on an SQLite file of its own, whichever database the rest of the suite uses.
    app = create_app(
        {"SURVEYAPP_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/pragmas.db"}
    )
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_only_a_database_server_is_pinged_before_each_checkout(tmp_path):
    """pool_pre_ping replaces a server connection that died while the database was away (unavailable.py);
    a database file has no server to lose, and the ping would be one more query on every request."""
    sqlite_app = create_app(
        {"SURVEYAPP_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ping.db"}
    )
    assert sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    server_app = create_app(
        {"SURVEYAPP_ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql://u@127.0.0.1:1/none"}
    )
    assert server_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert config_from_env({}, instance_path=str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_migrations_create_exactly_the_models_schema(tmp_path, database_url):
    """Upgrade a fresh database with Alembic, then ask autogenerate for differences: there must be none."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/migrated.db"
    else:
        url = _fresh_postgres_database(database_url, "surveyapp_migration_check")
    app = create_app({"SURVEYAPP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def _fresh_postgres_database(url: str, name: str) -> str:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def test_trusted_proxy_gives_throttling_the_clients_address(database_url):
    from conftest import make_app
    from flask import request

    app = make_app(database_url, TRUSTED_PROXIES=1)
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr)
    seen = app.test_client().get(
        "/_addr", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert seen.get_data(as_text=True) == "203.0.113.9"
    untrusted = make_app(database_url)
    untrusted.add_url_rule("/_addr", "addr", lambda: request.remote_addr)
    seen = untrusted.test_client().get(
        "/_addr", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert seen.get_data(as_text=True) == "10.0.0.1"

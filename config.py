"""Configuration from the environment (twelve-factor).

Every setting the app reads is named here and documented in the README.
`SURVEYAPP_ENV` is `production` unless told otherwise, so a forgotten
variable fails safe: production refuses to start without a strong
SECRET_KEY, a base URL for links and a mail server.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "test", "please-change-me"}
MIN_SECRET_LENGTH = 32
DEFAULT_ORGANISATION = "the survey team"
DEFAULT_TIMEZONE = "Europe/London"


class ConfigError(click.ClickException, RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set.

    A ClickException, so that `flask --app wsgi ...` prints the message and exits with 1, no traceback.
    """


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"SURVEYAPP_TIMEZONE must be a time zone name such as Europe/London, not {name!r}") from None
    return name.strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def config_from_env(env=None, instance_path: str | os.PathLike = "instance") -> dict:
    env = os.environ if env is None else env
    mode = (env.get("SURVEYAPP_ENV") or "production").strip().lower()
    if mode not in {"production", "development", "testing"}:
        raise ConfigError("SURVEYAPP_ENV must be production, development or testing")
    default_db = "sqlite:///" + str(Path(instance_path, "surveyapp.db").resolve())
    cfg = {
        "SURVEYAPP_ENV": mode,
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL") or default_db),
        "SURVEYAPP_BASE_URL": (env.get("SURVEYAPP_BASE_URL") or "").rstrip("/"),
        # Who runs the surveys, named in every invitation and reminder (a survey's settings.organisation wins)
        "SURVEYAPP_ORGANISATION": (env.get("SURVEYAPP_ORGANISATION") or "").strip() or DEFAULT_ORGANISATION,
        # Times are stored in UTC and shown in this zone
        "SURVEYAPP_TIMEZONE": _time_zone(env.get("SURVEYAPP_TIMEZONE") or DEFAULT_TIMEZONE),
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        # Flask-Mail's own names
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "surveys@localhost",
        # Our additions to mail
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 30),
        "MAIL_RATE_LIMIT": _int(env, "MAIL_RATE_LIMIT", 0),  # messages a second; 0 = no limit
        "MAIL_BATCH_SIZE": _int(env, "MAIL_BATCH_SIZE", 100),
        "MAIL_LEASE_SECONDS": _int(env, "MAIL_LEASE_SECONDS", 900),  # a 'sending' row older than this is retried
        "MAIL_CA_FILE": env.get("MAIL_CA_FILE") or None,  # extra CA bundle for a private SMTP server's certificate
        # "Email me a copy of my answers" on public links: at most this many copies per survey and hour
        "SURVEYAPP_ANSWER_COPIES_PER_HOUR": _int(env, "SURVEYAPP_ANSWER_COPIES_PER_HOUR", 30),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int(env, "SESSION_ABSOLUTE_HOURS", 12),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int(env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int(env, "LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LOGIN_THROTTLE_MINUTES": _int(env, "LOGIN_THROTTLE_MINUTES", 15),
        "LOGIN_PAIR_FREE_FAILURES": _int(env, "LOGIN_PAIR_FREE_FAILURES", 3),
        "LOGIN_PAIR_BASE_DELAY_SECONDS": _int(env, "LOGIN_PAIR_BASE_DELAY_SECONDS", 2),
        "LOGIN_PAIR_MAX_DELAY_SECONDS": _int(env, "LOGIN_PAIR_MAX_DELAY_SECONDS", 900),
        "LOGIN_PAIR_WINDOW_HOURS": _int(env, "LOGIN_PAIR_WINDOW_HOURS", 24),
        "LOGIN_KNOWN_ADDRESS_DAYS": _int(env, "LOGIN_KNOWN_ADDRESS_DAYS", 90),
        "LOGIN_KNOWN_ADDRESS_SLOW_SECONDS": _int(env, "LOGIN_KNOWN_ADDRESS_SLOW_SECONDS", 10),
        "TOKEN_GUESS_LIMIT": _int(env, "TOKEN_GUESS_LIMIT", 30),
        "TOKEN_GUESS_WINDOW_MINUTES": _int(env, "TOKEN_GUESS_WINDOW_MINUTES", 10),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": mode == "production",
        "REMEMBER_COOKIE_SECURE": mode == "production",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,  # a respondent may leave a page open for hours
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust (0: none),
        # so throttling sees the client's address rather than the proxy's.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # Printed reports and report back sheets: the organisation's name, and a logo file in the
        # instance folder (PNG or SVG; none by default).
        "ORGANISATION_NAME": env.get("ORGANISATION_NAME") or "",
        "ORGANISATION_LOGO": env.get("ORGANISATION_LOGO") or "",
    }
    if mode == "development":
        cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or "development-only-key-not-for-production-use"
        cfg["SURVEYAPP_BASE_URL"] = cfg["SURVEYAPP_BASE_URL"] or "http://127.0.0.1:5000"
    if mode == "testing":
        cfg["TESTING"] = True
        cfg["SECRET_KEY"] = cfg["SECRET_KEY"] or "testing-key-" + "x" * 40
        cfg["SURVEYAPP_BASE_URL"] = cfg["SURVEYAPP_BASE_URL"] or "http://surveys.test"
    return cfg


def check_production_config(cfg: dict) -> None:
    """Refuse to start in production with settings that would expose people's data."""
    if cfg.get("SURVEYAPP_ENV") != "production":
        return
    problems = []
    secret = cfg.get("SECRET_KEY") or ""
    if secret.strip().lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 8:
        problems.append(
            f"SECRET_KEY is missing or weak: set it to a random value of at least {MIN_SECRET_LENGTH} "
            "characters, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if cfg.get("DEBUG"):
        problems.append("debug mode is on: unset FLASK_DEBUG in production")
    if not cfg.get("SURVEYAPP_BASE_URL"):
        problems.append(
            "SURVEYAPP_BASE_URL is not set: emailed links need the public address, e.g. https://surveys.example.org"
        )
    if not cfg.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is not set: invitations could not be delivered")
    if problems:
        raise ConfigError("Refusing to start in production:\n  - " + "\n  - ".join(problems))

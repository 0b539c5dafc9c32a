"""The application factory: config, extensions, blueprints, CLI groups, error pages."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template

from config import check_production_config, config_from_env, normalise_database_url

# `mail` is aliased: the surveyapp.mail package would shadow the extension's name here.
from .extensions import csrf, db, login_manager, migrate
from .extensions import mail as mail_extension
from .numbers import IdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SurveyFlask(Flask):
    """Flask, with the sync-or-async check of each view and hook made once per function.

    Flask asks `inspect.iscoroutinefunction` of every hook and the view on every request (a dozen times
    a journey request). The answer never changes for a function, so it is kept, for at most
    `SYNC_CHECKS_KEPT` functions: views and hooks are a fixed set, and a function made per request
    (`after_this_request`) is checked each time once the set is full rather than kept for ever.
    """

    SYNC_CHECKS_KEPT = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions: dict = {}

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except KeyError:
            found = super().ensure_sync(func)
            if len(self._sync_functions) < self.SYNC_CHECKS_KEPT:
                self._sync_functions[func] = found
            return found
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def create_app(test_config: dict | None = None) -> Flask:
    app = SurveyFlask(
        __name__,
        instance_path=os.environ.get("SURVEYAPP_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.url_map.converters["id"] = IdConverter  # <id:...>: bounded ASCII-digit ids in every route (numbers.py)
    app.config.update(config_from_env(instance_path=app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A database file has no server to lose while the connection sits in the pool: no ping (a SELECT 1)
        # before every checkout, which is every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
            "pool_pre_ping": False,
        }
    check_production_config(app.config)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    from .cookie_session import CookieSessionInterface
    from .database import configure_engine_events

    app.session_interface = CookieSessionInterface()
    from .templating import configure_templating

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    mail_extension.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    configure_templating(app)
    from .i18n import init_i18n

    init_i18n(app)
    from .security import init_security

    init_security(app)

    from . import models  # noqa: F401  (registers the tables)
    from .analysis import tallies

    tallies.install()  # responses completed or voided through the ORM move the dashboards' tallies

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .contacts.routes import bp as optout_bp
    from .dashboards import bp as dashboards_bp
    from .editor import bp as editor_bp
    from .editor import review_bp
    from .home import bp as home_bp
    from .interviews import bp as interviews_bp
    from .media import bp as media_bp
    from .reports import bp as reports_bp
    from .reports import share_bp
    from .respond import bp as respond_bp

    app.register_blueprint(respond_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(interviews_bp)
    app.register_blueprint(optout_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(share_bp)
    app.register_blueprint(media_bp)

    from .cli import register_cli

    register_cli(app)
    _register_error_pages(app)
    from .unavailable import init_unavailable

    init_unavailable(app)  # 503 while the database is away, never a traceback
    return app


def _register_error_pages(app: Flask) -> None:
    for status in (400, 403, 404, 405, 413, 429, 500):

        def handler(error, status=status):
            # Keep the error's own headers: Allow on a 405 (RFC 9110), WWW-Authenticate, Retry-After.
            headers = [h for h in getattr(error, "get_headers", lambda: [])() if h[0].lower() != "content-type"]
            return (
                render_template(
                    f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html",
                    status=status,
                    error=error,
                ),
                status,
                headers,
            )

        app.register_error_handler(status, handler)

"""Jinja set-up: our templates first, then the GOV.UK Frontend macros (branded as ours)."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

PRODUCT_NAME = "Voice Survey"


def configure_templating(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from .timezones import localtime

    app.jinja_env.filters["localtime"] = localtime

    @app.context_processor
    def _globals():
        return {"product_name": PRODUCT_NAME, "navigation_items": lambda: navigation_items(app)}


# (endpoint, text, roles): each feature's entry point, shown only to the roles that may use it.
NAVIGATION = [
    ("admin.index", "Surveys", ("admin", "analyst")),
    ("interviews.index", "Interviews", ("volunteer",)),
    ("dashboards.index", "Dashboards", ("admin", "analyst")),
    ("reports.index", "Report backs", ("admin", "analyst")),
    ("admin.contacts", "Contacts", ("admin",)),
    ("admin.outbox", "Outbox", ("admin",)),
    ("admin.users", "Users", ("admin",)),
    ("admin.audit_log", "Audit log", ("admin",)),
    ("auth.account", "Your account", ("admin", "analyst", "volunteer")),
]


def navigation_items(app: Flask) -> list[dict]:
    from flask import request, url_for
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, text, roles in NAVIGATION:
        if current_user.role in roles and endpoint in app.view_functions:
            href = url_for(endpoint)
            items.append({"href": href, "text": text, "active": request.path.startswith(href) and href != "/"})
    return items

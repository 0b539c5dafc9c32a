"""Jinja set-up: our templates first, then the GOV.UK Frontend macros (branded as ours)."""

from __future__ import annotations

from flask import Flask, current_app
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from markupsafe import Markup

from .i18n import current_interface_language

PRODUCT_NAME = "Voice Survey"


class ImportingTemplate(Template):
    """A Jinja template whose `{% import %}` / `{% from ... import %}` compares globals in C.

    Jinja 3.1 checks, on every import, whether the importing context has globals the imported template
    lacks, with `set - ChainMap.keys()`: a Python-level loop over every global, for each of the ~90
    imports a respondent's journey makes through the GOV.UK macros (about 6% of its server time).
    `set.difference(ChainMap)` gives the same names without the loop; the rest is Jinja's own code.
    """

    def _get_default_module(self, ctx=None):
        if ctx is not None and ctx.globals_keys.difference(self.globals):
            return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module


def blank_question_html(question, hidden: bool) -> Markup:
    """A question with no answer and no error, rendered once per process, questionnaire object and
    interface language.

    Its HTML depends on nothing else (`respond/_questions.html` imports without context), and the parsed
    questionnaire of a published version is cached per process (journey/flow.py), so a respondent's
    first view of a page costs no macro calls. The HTML lives on the question object and dies with it,
    so an edited draft (a new object each request) can never be shown stale.
    """
    cache = question.__dict__.setdefault("_blank_html", {})
    key = (hidden, current_interface_language())  # its hints and labels ("Day", "Month") are translated
    html = cache.get(key)
    if html is None:
        macros = current_app.jinja_env.get_template("respond/_questions.html").module
        html = cache[key] = Markup(macros.render_question(question, {}, {}, {}, hidden=hidden))
    return html


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
    app.jinja_env.template_class = ImportingTemplate
    app.jinja_env.globals["blank_question_html"] = blank_question_html
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

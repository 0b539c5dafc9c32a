"""Jinja set-up: our templates first, then the GOV.UK Frontend macros (branded as ours)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext
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
    # a command or a path inside a translated sentence: `_("Run %(command)s", command=text | code)`
    app.jinja_env.filters["code"] = lambda text: Markup("<code>%s</code>") % text

    @app.context_processor
    def _globals():
        return {
            "product_name": PRODUCT_NAME,
            "navigation_items": lambda: navigation_items(app),
            "role_name": role_name,
            "status_name": status_name,
        }


# (endpoint, text, roles): each feature's entry point, shown only to the roles that may use it.
# Lazy: each is translated when the page renders, in the staff member's interface language (surveyapp/i18n.py).
NAVIGATION = [
    ("admin.index", lazy_gettext("Surveys"), ("admin", "analyst")),
    ("interviews.index", lazy_gettext("Interviews"), ("volunteer",)),
    ("dashboards.index", lazy_gettext("Dashboards"), ("admin", "analyst")),
    ("reports.index", lazy_gettext("Report backs"), ("admin", "analyst")),
    ("admin.contacts", lazy_gettext("Contacts"), ("admin",)),
    ("admin.outbox", lazy_gettext("Outbox"), ("admin",)),
    ("admin.users", lazy_gettext("Users"), ("admin",)),
    ("admin.audit_log", lazy_gettext("Audit log"), ("admin",)),
    ("auth.account", lazy_gettext("Your account"), ("admin", "analyst", "volunteer")),
]

#: A role as the pages name it (the stored value is the English code).
ROLE_NAMES = {
    "admin": lazy_gettext("admin"),
    "analyst": lazy_gettext("analyst"),
    "volunteer": lazy_gettext("volunteer"),
}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


#: A stored status or kind as the pages name it, capitalised (surveys, responses, invitations, emails, tokens).
STATUS_NAMES = {
    "draft": lazy_gettext("Draft"),
    "open": lazy_gettext("Open"),
    "closed": lazy_gettext("Closed"),
    "in_progress": lazy_gettext("In progress"),
    "not emailed": lazy_gettext("Not emailed"),
    "emailed": lazy_gettext("Emailed"),
    "reminded": lazy_gettext("Reminded"),
    "failed": lazy_gettext("Failed"),
    "bounced": lazy_gettext("Bounced"),
    "opened": lazy_gettext("Opened"),
    "started": lazy_gettext("Started"),
    "completed": lazy_gettext("Completed"),
    "opted out": lazy_gettext("Opted out"),
    "revoked": lazy_gettext("Revoked"),
    "queued": lazy_gettext("Queued"),
    "sending": lazy_gettext("Sending"),
    "sent": lazy_gettext("Sent"),
    "retrying": lazy_gettext("Retrying"),
    "invitation": lazy_gettext("Invitation"),
    "reminder": lazy_gettext("Reminder"),
    "other": lazy_gettext("Other"),
    "active": lazy_gettext("Active"),
    "expired": lazy_gettext("Expired"),
    "all": lazy_gettext("All"),
}


def status_name(value: str | None) -> str:
    value = str(value or "")
    return str(STATUS_NAMES[value]) if value in STATUS_NAMES else value.capitalize()


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

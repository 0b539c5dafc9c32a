"""Jinja set-up: our templates first, then the GOV.UK Frontend macros (branded as ours)."""

from __future__ import annotations

import secrets

from flask import Flask, current_app, render_template, request, session
from flask.globals import request_ctx
from flask_babel import lazy_gettext
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from markupsafe import Markup, escape

from .i18n import current_interface_language
from .questionnaires.languages import Untranslated

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


# Page shells: a page rendered once with these marks where the request's CSRF token, CSP nonce and other
# per-request values go. Letters and digits only, so escaping leaves them as they are.
_SHELL_MARK = "shell" + secrets.token_hex(12)
_CSRF_MARK = _SHELL_MARK + "csrf"
_NONCE_MARK = _SHELL_MARK + "nonce"
SHELLS_PER_OWNER = 64


def render_shell(owner, key: tuple, template: str, fills: dict[str, str] | None = None, **context) -> str:
    """`render_template(template, **context)`, from a shell kept on `owner` under `key` when it can be.

    A shell is the page rendered once with marks in place of the CSRF token, the CSP nonce and `fills`
    (context values that differ from request to request, each written `{{ name }}` in the template); each
    request gets the shell with its own values put in, escaped as the template would have escaped them.
    `owner` is a cached parsed questionnaire (one per version and language), so a shell dies with it; `key`
    must name everything else the page depends on: the caller passes a shell key only for pages whose
    context is fully determined by the questionnaire and that key (a public link's blank page, say). The
    request's interface language, path and script root are added here. No shell is used for a signed-in
    user (the layout shows who is signed in), while flash messages wait, or when templates reload (development).
    """
    fills = fills or {}
    if (
        current_app.jinja_env.auto_reload
        or session.get("_flashes")
        or request_ctx.flashes
        or getattr(_current_user(), "is_authenticated", True)
    ):
        return render_template(template, **context, **fills)
    shells = owner.__dict__.setdefault("_page_shells", {})
    full_key = (template, key, current_interface_language(), request.path, request.script_root)
    shell = shells.get(full_key)
    if shell is None:
        marks = {name: f"{_SHELL_MARK}fill{name}" for name in fills}
        shell = render_template(
            template, **context, **marks, csrf_token=lambda: _CSRF_MARK, csp_nonce=lambda: _NONCE_MARK
        )
        if len(shells) >= SHELLS_PER_OWNER:
            shells.clear()
        shells[full_key] = shell
    html = shell
    if _CSRF_MARK in html:  # only when the page has a form: generating a token writes it into the session
        from flask_wtf.csrf import generate_csrf

        html = html.replace(_CSRF_MARK, generate_csrf())
    if _NONCE_MARK in html:
        from .security import csp_nonce

        html = html.replace(_NONCE_MARK, csp_nonce())
    for name, value in fills.items():
        html = html.replace(f"{_SHELL_MARK}fill{name}", str(escape(value)))
    return html


def _current_user():
    from flask_login import current_user

    return current_user._get_current_object()


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
    app.jinja_env.filters["own_language"] = own_language
    app.jinja_env.filters["own_language_attributes"] = own_language_attributes

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


def own_language(text) -> Markup:
    """A survey's text as page content: escaped, and in a span with its own lang and dir when a translation left
    it out and it is shown in the survey's default language (`languages.Untranslated`)."""
    if isinstance(text, Untranslated):
        return Markup('<span lang="%s" dir="%s">%s</span>') % (text.lang, text.dir, str(text))
    return escape(text)


def own_language_attributes(text) -> Markup:
    """` lang=".." dir=".."` for an element that holds only a text a translation left out, else nothing."""
    if isinstance(text, Untranslated):
        return Markup(' lang="%s" dir="%s"') % (text.lang, text.dir)
    return Markup("")

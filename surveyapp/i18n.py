"""The product's own interface text in the reader's language (Flask-Babel, English (UK) as the source).

On a respondent's journey (the `respond` and `optout` blueprints) the locale is the page's questionnaire
language when the product ships a catalogue for it (surveyapp/translations/<code>/LC_MESSAGES/messages.po).
The journey already knows its language (the cached translated questionnaire, or the response), so choosing it
costs no SQL: the page calls `use_interface_language(code)` before it renders, and the selector reads it from
`g`. On staff pages it is the signed-in user's own choice (`User.interface_language`, set on Your account),
else a signed-out visitor's `?lang=` choice kept in the session, else the browser's Accept-Language among the
shipped catalogues, else English; it is worked out on the first word translated, from the user that the
request has already loaded (auth/routes.py loads it before any view), so it adds no query.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_translations, refresh

from .extensions import babel
from .questionnaires.loader import Problem
from .questionnaires.messages import Message, english_date

SOURCE_LANGUAGE = "en"
#: Languages with a complete interface catalogue (tests/test_interface_translations.py checks each).
INTERFACE_LANGUAGES = ("cy", "ur")
RIGHT_TO_LEFT_INTERFACE_LANGUAGES = frozenset({"ur"})
RESPONDENT_BLUEPRINTS = frozenset({"respond", "optout"})
#: The interface languages a staff member may choose, each named in itself (Your account, the sign-in page).
INTERFACE_LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو"}
#: Where a signed-out visitor's choice (`?lang=` on the sign-in page) is kept in the session.
SESSION_LANGUAGE_KEY = "interface_language"
#: Requests whose words are not a page's (JSON, files): always English.
UNTRANSLATED_BLUEPRINTS = frozenset({"api", "static", "media"})
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def interface_language(language_code: str | None) -> str:
    """The catalogue for a questionnaire language: `cy-GB` → cy, `en-x-easyread` → en, unknown → en."""
    base = (language_code or "").split("-")[0].lower()
    return base if base in INTERFACE_LANGUAGES else SOURCE_LANGUAGE


def use_interface_language(language_code: str | None) -> str:
    """On a respondent's page, speak the page's language where there is a catalogue; a staff page (interview
    mode) keeps the staff member's interface language. Returns the interface language in use."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    if request.blueprint not in RESPONDENT_BLUEPRINTS:
        return current_interface_language()  # a staff page (interview mode): the staff member's language
    locale = interface_language(language_code)
    if g.get("interface_language", SOURCE_LANGUAGE) != locale:
        g.interface_language = locale
        refresh()  # the locale and catalogue may have been looked up earlier in the request
    return locale


def chosen_interface_language(value: str | None) -> str | None:
    """A stored or requested choice when it names a shipped interface language (English included), else None."""
    return value if value in INTERFACE_LANGUAGE_NAMES else None


def staff_interface_language() -> str:
    """The interface language of a page that is not a respondent's: the signed-in user's own choice, else the
    choice made on the sign-in page (kept in the session), else the browser's preferred language among the shipped
    catalogues (Accept-Language), else English.

    Only a user the request has loaded already counts (Flask-Login keeps it in `g._login_user`): this never
    loads one, so it costs no query, and a page rendered after a database failure (the 503 page) still works.
    """
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        chosen = chosen_interface_language(user.interface_language)
        if chosen:
            return chosen
    chosen = chosen_interface_language(session.get(SESSION_LANGUAGE_KEY))
    if chosen:
        return chosen
    if not request.accept_languages:
        return SOURCE_LANGUAGE
    return request.accept_languages.best_match((SOURCE_LANGUAGE, *INTERFACE_LANGUAGES), SOURCE_LANGUAGE)


def use_staff_interface_language(language_code: str | None = None) -> str:
    """Choose the staff page's interface language again (after the user changed it): `language_code`, else
    what `staff_interface_language()` says now. Returns it."""
    locale = chosen_interface_language(language_code) or staff_interface_language()
    g.interface_language = locale
    refresh()
    return locale


def current_interface_language() -> str:
    if not has_request_context():
        return SOURCE_LANGUAGE
    language = g.get("interface_language")
    if language is None:
        # a staff page: chosen on its first translated word, once the request has loaded its user
        language = g.interface_language = staff_interface_language()
    return language


def _select_locale() -> str:
    return current_interface_language()


def translate(text):
    """An engine message (questionnaires.messages.Message), or a definition problem (questionnaires.loader.Problem:
    "line 4: question 'age' on page 'about': …"), in the interface language; anything else unchanged."""
    if isinstance(text, Problem):
        return text.text(translate)
    if not isinstance(text, Message):
        return text
    return text.render(
        get_translations().ugettext(text.msgid), date_format=_date_in_interface_language, translate=translate
    )


def _date_in_interface_language(value) -> str:
    """5 October 2011 in English; the month named in the page's language where it has a catalogue."""
    locale = current_interface_language()
    if locale == SOURCE_LANGUAGE:
        return english_date(value)
    return babel_format_date(value, format="d MMMM y", locale=locale)


@functools.cache
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of an interface language, outside any request (the mail worker, the CLI)."""
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


def gettext_in(language_code: str | None, msgid: str) -> str:
    """`msgid` in the interface language for a questionnaire or contact language (English when none)."""
    return catalogue(interface_language(language_code)).ugettext(msgid)


_page_catalogues: dict[str, NullTranslations] = {}


def _page_catalogue() -> NullTranslations:
    """Flask-Babel's catalogue for the interface language, remembered per language.

    Flask-Babel works the locale and the domain out again on each of a page's ~25 `_()` calls (a tenth of a
    journey request's CPU, docs/PERFORMANCE.md); the locale depends only on `current_interface_language()`
    (our selector) and Flask-Babel itself keeps one catalogue per locale for the process, so remembering it
    here by that language changes no text.
    """
    if not has_request_context():
        return get_translations()
    language = current_interface_language()
    found = _page_catalogues.get(language)
    if found is None:
        found = _page_catalogues[language] = get_translations()
    return found


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_select_locale, default_domain="messages")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_catalogue().ugettext(s),
        ngettext=lambda s, p, n: _page_catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_catalogue().unpgettext(c, s, p, n),
    )

    @app.before_request
    def _english_until_the_page_says_otherwise():
        # a request inside an app context that outlives it (tests, the CLI) must not inherit the last locale, nor
        # the last catalogue (an English one too: Flask-Babel keeps it on the context)
        if g.pop("interface_language", None) is not None:
            refresh()
        blueprint = request.blueprint
        if blueprint in RESPONDENT_BLUEPRINTS or blueprint in UNTRANSLATED_BLUEPRINTS:
            # a respondent's page speaks its questionnaire's language (use_interface_language); no user is read
            g.interface_language = SOURCE_LANGUAGE
        # a staff page: current_interface_language() chooses on the first translated word, after the user loads

    app.jinja_env.filters["translate"] = translate
    # the layout's lang and dir on a page that is not in a questionnaire's language (staff pages)
    app.jinja_env.globals["interface_language"] = current_interface_language
    app.jinja_env.globals["right_to_left_interface"] = RIGHT_TO_LEFT_INTERFACE_LANGUAGES

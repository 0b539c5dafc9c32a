"""The language of the journey's pages: `<html lang dir>` and the language switcher's context.

The questionnaire's texts come translated from the per-process cache (flow.cached_questionnaire);
this module only says how a page shows which language it is in, and offers the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..i18n import RIGHT_TO_LEFT_INTERFACE_LANGUAGES, use_interface_language
from ..questionnaires.definition import Questionnaire
from ..questionnaires.languages import Language


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str
    dir: str


def page_language(questionnaire: Questionnaire) -> PageLanguage:
    info = questionnaire.language_info()
    return PageLanguage(info.code, info.name, info.dir)


@dataclass(frozen=True)
class LanguageSwitch:
    """What the switcher shows: every language of the survey, the current one marked, and where to post."""

    action: str
    current: str
    languages: list[Language]


def language_context(questionnaire: Questionnaire, switch_action: str | None) -> dict:
    """Template context for a journey page: its language, a switcher when the survey has others, and how
    to mark the product's own words when they are in another language than the page (English when there is
    no interface catalogue for it; a staff member's interface language in interview mode): `ui_lang` for macros' attributes, `ui_lang_attributes` to write
    into a tag. Also sets the request's interface language (surveyapp/i18n.py), without SQL."""
    languages = questionnaire.languages()
    switch = None
    if switch_action and len(languages) > 1:
        switch = LanguageSwitch(switch_action, questionnaire.language, languages)
    language = page_language(questionnaire)
    interface = use_interface_language(language.code)
    same = language.code.split("-")[0].lower() == interface
    direction = "rtl" if interface in RIGHT_TO_LEFT_INTERFACE_LANGUAGES else "ltr"
    ui_lang = {} if same else {"lang": interface, "dir": direction}
    ui_attributes = Markup("".join(f' {name}="{value}"' for name, value in ui_lang.items()))
    return {
        "page_language": language,
        "language_switch": switch,
        "ui_lang": ui_lang,
        "ui_lang_attributes": ui_attributes,
    }

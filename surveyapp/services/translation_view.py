"""The editor's translations view: every text of a draft beside its translation into one language, with what
is missing marked. Plain functions over a definition dict (Questionnaire.to_dict() shape, choices inline,
translations as stored: see questionnaires/languages.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..questionnaires import languages

#: settings that are words, in the order the view lists them (questionnaire-format.md, Languages)
SETTING_TEXTS = {
    "organisation": "Organisation",
    "run_by": "Who runs the survey",
    "contact": "How to contact them",
    "start_text": "Start page text",
    "thank_you_text": "Thank-you page text",
}

QUESTION_TEXT_NAMES = {
    "label": "Question",
    "hint": "Hint",
    "required_message": "Message when there is no answer",
    "constraint_message": "Message when the rule fails",
    "pattern_message": "Message when the pattern fails",
    "min_label": "Label of the lowest point",
    "max_label": "Label of the highest point",
    "suffix": "Text after the box",
}


@dataclass(frozen=True)
class TranslationRow:
    where: str  # the survey, a page or a question, in the default language's words
    what: str  # which text: "Title", "Hint", "Answer ‘north’"...
    source: str  # the default language's text
    translated: str | None  # None: missing (respondents see the default language's text)
    path: tuple = ()  # where the translation lives in the language's entry of `translations`


@dataclass(frozen=True)
class LanguageSummary:
    language: languages.Language
    missing: int
    total: int


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def translation_rows(definition: dict, code: str) -> list[TranslationRow]:
    """Every translatable text of the definition, in form order, with its translation into `code`."""
    entry = (definition.get("translations") or {}).get(code) or {}
    rows: list[TranslationRow] = []

    def add(where: str, what: str, source, translated, path: tuple) -> None:
        if _text(source):
            rows.append(TranslationRow(where, what, source, _text(translated), path))

    add("The survey", "Title", definition.get("title"), entry.get("title"), ("title",))
    add("The survey", "Description", definition.get("description"), entry.get("description"), ("description",))
    settings, translated_settings = definition.get("settings") or {}, entry.get("settings") or {}
    for key, words in SETTING_TEXTS.items():
        add("The survey", words, settings.get(key), translated_settings.get(key), ("settings", key))
    page_texts, question_texts = entry.get("pages") or {}, entry.get("questions") or {}
    for page in definition.get("pages") or []:
        if not isinstance(page, dict):
            continue
        page_title = page.get("title") or page.get("name") or ""
        page_name = page.get("name")
        add(
            f"Page ‘{page_title}’",
            "Page title",
            page_title,
            (page_texts.get(page_name) or {}).get("title"),
            ("pages", page_name, "title"),
        )
        for question in page.get("questions") or []:
            if not isinstance(question, dict):
                continue
            name = question.get("name")
            texts = question_texts.get(name) or {}
            where = f"Question ‘{question.get('label') or name}’"
            for key, words in QUESTION_TEXT_NAMES.items():
                add(where, words, question.get(key), texts.get(key), ("questions", name, key))
            choices = question.get("choices")
            if isinstance(choices, list):
                choice_texts = texts.get("choices") or {}
                for choice in choices:
                    if isinstance(choice, dict):
                        value = str(choice.get("value"))
                        add(
                            where,
                            f"Answer ‘{value}’",
                            choice.get("label"),
                            choice_texts.get(value),
                            ("questions", name, "choices", value),
                        )
    return rows


def translation_summaries(definition: dict) -> list[LanguageSummary]:
    """Each translation's language with how many of the definition's texts it leaves missing."""
    default = (definition.get("settings") or {}).get("language") or "en"
    translations = definition.get("translations") or {}
    summaries = []
    for language in languages.languages_of(default, translations)[1:]:
        rows = translation_rows(definition, language.code)
        summaries.append(LanguageSummary(language, sum(1 for r in rows if r.translated is None), len(rows)))
    return summaries


#: the longest translated text the view accepts (the start and thank-you texts are the longest sources)
MAX_TRANSLATION_LENGTH = 10_000


def set_translations(definition: dict, code: str, texts: dict[tuple, str]) -> None:
    """Write the translations typed for `code` into the definition, path by path (a path from
    translation_rows()); an empty text removes that translation, and entries left empty are dropped.
    The language's own `name` and `dir` are kept."""
    translations = definition.setdefault("translations", {})
    entry = translations.setdefault(code, {})
    for path, text in texts.items():
        text = (text or "").strip()
        *parents, last = path
        node = entry
        for key in parents:
            node = node.setdefault(key, {})
        if text:
            node[last] = text
        else:
            node.pop(last, None)
    _prune(entry)


def _prune(node: dict) -> None:
    for key in list(node):
        if isinstance(node[key], dict):
            _prune(node[key])
            if not node[key]:
                del node[key]

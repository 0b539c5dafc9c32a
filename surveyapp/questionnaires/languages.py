"""A questionnaire in several languages: the `translations` block and the translated Questionnaire.

A definition's own texts are in its default language (`settings.language`, `en` unless set).
`translations` maps other BCP 47 codes to the same texts in that language; whatever a
translation leaves out falls back to the default language's text. Answers are stored by
choice value (code), never by label, so results do not depend on the language answered in.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

#: the contact attribute that says which language a person reads (their emails and their survey)
CONTACT_ATTRIBUTE = "language"

#: the contact attribute that says how a person needs information (e.g. "easy read", "large print")
NEEDS_ATTRIBUTE = "communication_needs"

#: the private-use subtag of an easy-read variant of a language (`en-x-easyread`, `cy-x-easyread`)
EASY_READ_SUFFIX = "-x-easyread"

#: languages written right to left (by primary subtag); a translation's `dir` overrides this
RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "ku"})

#: what a language calls itself, for the switcher when a translation gives no `name`
OWN_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
    "ur": "اردو",
    "ar": "العربية",
    "pa": "ਪੰਜਾਬੀ",
    "bn": "বাংলা",
    "pl": "Polski",
    "so": "Soomaali",
    "gd": "Gàidhlig",
    "ga": "Gaeilge",
    "fa": "فارسی",
    "ro": "Română",
    "pt": "Português",
    "es": "Español",
    "fr": "Français",
    "gu": "ગુજરાતી",
    "ta": "தமிழ்",
    "zh": "中文",
    "tr": "Türkçe",
    "lt": "Lietuvių",
}

#: English names of languages, for XLSForm columns written without a code (`label::Welsh`)
ENGLISH_NAMES = {
    "english": "en",
    "welsh": "cy",
    "urdu": "ur",
    "arabic": "ar",
    "punjabi": "pa",
    "bengali": "bn",
    "bangla": "bn",
    "polish": "pl",
    "somali": "so",
    "gaelic": "gd",
    "irish": "ga",
    "persian": "fa",
    "farsi": "fa",
    "romanian": "ro",
    "portuguese": "pt",
    "spanish": "es",
    "french": "fr",
    "gujarati": "gu",
    "tamil": "ta",
    "chinese": "zh",
    "turkish": "tr",
    "lithuanian": "lt",
}

# BCP 47 in the shape a form needs: a 2-3 letter language, then subtags (region, script, private use).
CODE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
MAX_CODE_LENGTH = 35

#: question texts a translation may carry (choices aside)
QUESTION_TEXTS = (
    "label",
    "hint",
    "required_message",
    "constraint_message",
    "pattern_message",
    "min_label",
    "max_label",
    "suffix",
    "image",  # easy read may show other pictures than the default language
    "image_alt",
)
#: settings that are words shown to people, and so may be translated
SETTINGS_TEXTS = ("organisation", "start_text", "thank_you_text", "run_by", "contact")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    dir: str  # "ltr" or "rtl"

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"


def valid_code(code: object) -> bool:
    """True for a language code of the accepted shape (lowercase language, then subtags)."""
    return isinstance(code, str) and len(code) <= MAX_CODE_LENGTH and bool(CODE_RE.match(code))


def default_direction(code: str) -> str:
    return "rtl" if code.split("-", 1)[0].lower() in RTL_LANGUAGES else "ltr"


def own_name(code: str) -> str:
    if code.lower().endswith(EASY_READ_SUFFIX):
        return f"{own_name(code[: -len(EASY_READ_SUFFIX)])} (easy read)"
    return OWN_NAMES.get(code) or OWN_NAMES.get(code.split("-", 1)[0].lower()) or code


def is_easy_read(code: object) -> bool:
    return isinstance(code, str) and code.lower().endswith(EASY_READ_SUFFIX)


def wants_easy_read(needs: object) -> bool:
    """Do a contact's communication needs ask for easy read ("Easy read", "easy-read", "EasyRead; large print")?"""
    return isinstance(needs, str) and len(needs) <= 500 and "easyread" in re.sub(r"[\s_-]+", "", needs.lower())


def wanted_language(language: object, needs: object) -> object:
    """What a contact's attributes ask for: their `language` (as given), or its easy-read variant when their
    communication needs say easy read (English when they name no language). best_match() then falls back
    from `cy-x-easyread` to `cy` when a survey has no easy-read Welsh."""
    if not wants_easy_read(needs):
        return language
    base = language.strip() if isinstance(language, str) and valid_code(language.strip().lower()) else "en"
    return base.split("-", 1)[0].lower() + EASY_READ_SUFFIX


def contact_match(attributes: dict, offered: list[str]) -> str | None:
    """The offered code a contact's attributes (`language`, `communication_needs`) ask for, or None."""
    return best_match(wanted_language(attributes.get(CONTACT_ATTRIBUTE), attributes.get(NEEDS_ATTRIBUTE)), offered)


def language_of(code: str, entry: dict | None) -> Language:
    entry = entry or {}
    return Language(code, entry.get("name") or own_name(code), entry.get("dir") or default_direction(code))


def languages_of(default: str, translations: dict) -> list[Language]:
    """The default language first, then each translation, in the order the file gives them."""
    result = [language_of(default, translations.get(default))]
    result.extend(language_of(code, entry) for code, entry in translations.items() if code != default)
    return result


class Untranslated(str):
    """A text a translation left out, shown in the default language: a str everywhere (emails, attributes,
    exports), and marked with its own `lang` and `dir` where a page writes it as content (the templates'
    `in_own_language` and `own_language_attributes` filters), so that a screen reader reads it as what it is."""

    lang: str
    dir: str

    def __new__(cls, text: str, language: Language) -> Untranslated:
        made = super().__new__(cls, text)
        made.lang, made.dir = language.code, language.dir
        return made


def same_language(original: object, text: str) -> str:
    """`text` (a part of `original`, e.g. one paragraph) marked as `original` is."""
    if isinstance(original, Untranslated):
        return Untranslated(text, Language(original.lang, "", original.dir))
    return text


def translate(questionnaire, code: str):
    """The questionnaire with its texts in `code` (new Page and Question objects), or the
    questionnaire itself for its default language or a language it does not have. A text the
    translation leaves out keeps the default language's, as an `Untranslated` str."""
    entry = questionnaire.translations.get(code)
    if code == questionnaire.default_language or not entry:
        return questionnaire
    default = language_of(
        questionnaire.default_language, questionnaire.translations.get(questionnaire.default_language)
    )

    def fallback(text):
        return Untranslated(text, default) if isinstance(text, str) and text else text

    settings = {
        key: fallback(value) if key in SETTINGS_TEXTS else value for key, value in questionnaire.settings.items()
    }
    for key, text in (entry.get("settings") or {}).items():
        if text:
            settings[key] = text
    page_texts = entry.get("pages") or {}
    question_texts = entry.get("questions") or {}
    pages = []
    for page in questionnaire.pages:
        questions = [_translated_question(q, question_texts.get(q.name) or {}, fallback) for q in page.questions]
        title = (page_texts.get(page.name) or {}).get("title") or fallback(page.title)
        pages.append(dataclasses.replace(page, title=title, questions=questions))
    translated = type(questionnaire)(
        slug=questionnaire.slug,
        title=entry.get("title") or fallback(questionnaire.title),
        description=entry.get("description") or fallback(questionnaire.description),
        settings=settings,
        pages=pages,
        translations=questionnaire.translations,
    )
    translated.language = code
    translated.original = questionnaire
    return translated


def _translated_question(question, texts: dict, fallback):
    # The image is a file, not words: an easy-read translation may name another, else the default's is used.
    changes = {
        key: texts.get(key) or (getattr(question, key) if key == "image" else fallback(getattr(question, key)))
        for key in QUESTION_TEXTS
        if texts.get(key) or getattr(question, key, None)
    }
    choice_texts = texts.get("choices") or {}
    if question.choices:
        changes["choices"] = [
            dataclasses.replace(c, label=choice_texts.get(c.value) or fallback(c.label)) for c in question.choices
        ]
    # dataclasses.replace runs __post_init__ again: defaults and consent behave as in the original.
    return dataclasses.replace(question, **changes)


def best_match(wanted: object, offered: list[str]) -> str | None:
    """The offered code that `wanted` (a ?lang= value, a contact's `language` attribute) asks for, or None.

    Exact codes first, ignoring case ("CY" is "cy"), then the same primary language ("cy-GB" is "cy").
    Anything else (unknown codes, markup, huge values) is None: the caller uses the default language.
    """
    if not isinstance(wanted, str) or not wanted or len(wanted) > MAX_CODE_LENGTH:
        return None
    wanted = wanted.strip().lower()
    by_lower = {code.lower(): code for code in offered}
    if wanted in by_lower:
        return by_lower[wanted]
    primary = wanted.split("-", 1)[0]
    return by_lower.get(primary)


_XLSFORM_LANGUAGE_RE = re.compile(r"\s*(.*?)\s*\(\s*([A-Za-z0-9-]+)\s*\)\s*\Z")


def from_xlsform(column_language: str) -> tuple[str, str] | None:
    """(code, name) of an XLSForm language such as 'Cymraeg (cy)', 'Welsh (cy)' or 'Welsh'; None if no code
    can be found. A language written by its English name is named as it names itself ('Welsh' is 'Cymraeg')."""
    match = _XLSFORM_LANGUAGE_RE.match(column_language)
    if match:
        written, code = match.group(1), match.group(2)
        code = code.split("-", 1)[0].lower() + code[len(code.split("-", 1)[0]) :]
    else:
        written, code = column_language.strip(), ENGLISH_NAMES.get(column_language.strip().lower())
    if not code or not valid_code(code):
        return None
    if not written or ENGLISH_NAMES.get(written.lower()) == code:
        written = own_name(code)
    return code, written


def xlsform_language(language: Language) -> str:
    """How XLSForm columns name a language: 'Cymraeg (cy)'."""
    return f"{language.name} ({language.code})"


def translation_between(default: dict, translated: dict, option_labels: dict | None = None) -> dict:
    """The translations entry that turns definition dict `default` into `translated` (the same form with
    other texts, e.g. from a FHIR resource read in another language): every text that differs.
    `option_labels`: question name -> value -> label in that language, for types whose options are
    built in (yes_no, likert without `choices`)."""
    entry: dict = {}
    for key in ("title", "description"):
        if translated.get(key) and translated.get(key) != default.get(key):
            entry[key] = translated[key]
    settings, other_settings = default.get("settings") or {}, translated.get("settings") or {}
    for key in SETTINGS_TEXTS:
        if other_settings.get(key) and other_settings.get(key) != settings.get(key):
            entry.setdefault("settings", {})[key] = other_settings[key]
    for page, other_page in zip(default.get("pages") or [], translated.get("pages") or [], strict=False):
        if other_page.get("title") and other_page.get("title") != page.get("title"):
            entry.setdefault("pages", {})[page["name"]] = {"title": other_page["title"]}
        for question, other in zip(page.get("questions") or [], other_page.get("questions") or [], strict=False):
            texts = {k: other[k] for k in QUESTION_TEXTS if other.get(k) and other.get(k) != question.get(k)}
            choices = {
                c["value"]: o["label"]
                for c, o in zip(question.get("choices") or [], other.get("choices") or [], strict=False)
                if o.get("label") and o.get("label") != c.get("label")
            }
            if not question.get("choices") and (option_labels or {}).get(question.get("name")):
                choices = dict(option_labels[question["name"]])
            if choices:
                texts["choices"] = choices
            if texts:
                entry.setdefault("questions", {})[question["name"]] = texts
    return entry

"""The in-memory questionnaire: plain dataclasses, with a JSON form for the database.

`Questionnaire.to_dict()` gives a JSON-serialisable dict in the native format (choices
inline), so it can be stored per survey version and loaded again, quickly and without
re-validation, by `Questionnaire.from_dict()`. The same dict is also a valid definition
file for `loader.load_definition_text()`.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from dataclasses import dataclass, field
from typing import Any

from . import languages, types

# The built-in types (every registered type is in types.names(); see types.py).
QUESTION_TYPES = types.BUILT_IN
CHOICE_TYPES = set(types.names_where(lambda t: t.has_choices))

SETTINGS_DEFAULTS: dict[str, Any] = {
    "interview": False,
    "public_link": False,
    "reminder_max": 2,
    "reminder_interval_days": 7,
    "closes_on": None,
    "organisation": None,
    "disclosure_threshold": 7,
    "disclosure_rounding": 5,
    "contact_attributes": [],
    "answers_copy": False,
    # Respondent-side wording (plain text; blank lines separate paragraphs; shown escaped, never as HTML).
    "start_text": None,
    "thank_you_text": None,
    "run_by": None,
    "contact": None,
    "privacy_url": None,
    "language": "en",
}


#: what a choice filter calls the choice's value besides `value` (XLSForm's choices sheet names it `name`)
CHOICE_OWN_COLUMNS = ("value", "name")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    #: further columns, as (name, text) pairs in the file's order (`region: north`), for choice filters
    extra: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict:
        return {"value": self.value, "label": self.label, **dict(self.extra)}

    @classmethod
    def from_dict(cls, data: dict) -> Choice:
        extra = tuple((str(k), column_text(v)) for k, v in data.items() if k not in ("value", "label"))
        return cls(str(data["value"]), data["label"], extra)

    @functools.cached_property
    def columns(self) -> dict[str, str]:
        """What a choice filter reads by bare name: the extra columns, `value` and `name` (the value)."""
        return {**dict(self.extra), "value": self.value, "name": self.value}


def column_text(value) -> str:
    """A choice column's value as text (YAML may give a number or a boolean)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return "" if value is None else str(value)


YES_NO_CHOICES = [Choice(v, label) for v, label in types.YES_NO_CHOICES]
LIKERT_AGREEMENT_CHOICES = [Choice(v, label) for v, label in types.LIKERT_AGREEMENT_CHOICES]

# Optional question attributes, in the order to_dict() writes them.
_OPTIONAL_FIELDS = (
    "hint",
    "required_message",
    "min",
    "max",
    "min_label",
    "max_label",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "constraint",
    "constraint_message",
    "relevant",
    "suffix",
    "width",
    "image",
    "image_alt",
    "default",
    "choice_filter",
)


@dataclass
class Question:
    name: str
    type: str
    label: str
    hint: str | None = None
    required: bool = False
    required_message: str | None = None
    choices: list[Choice] = field(default_factory=list)
    min: int | decimal.Decimal | datetime.date | None = None
    max: int | decimal.Decimal | datetime.date | None = None
    min_label: str | None = None
    max_label: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    constraint: str | None = None
    constraint_message: str | None = None
    relevant: str | None = None
    consent: bool = False
    page_name: str = ""
    #: text shown after a number input, e.g. "patients"
    suffix: str | None = None
    #: input width hint for the template (GOV.UK widths: 2, 3, 4, 5, 10, 20)
    width: int | None = None
    #: an image stored with the survey (by file name), shown above the question, and its text alternative
    #: (empty: the picture only illustrates the words, as in easy read)
    image: str | None = None
    image_alt: str | None = None
    #: "<survey slug>/<image>", where the image is served (set by the Questionnaire; not part of the definition)
    image_path: str | None = field(default=None, init=False, repr=False, compare=False)
    #: the answer given in advance, as text (see types.ANSWER_KEYS); typed by `default_value`
    default: str | None = None
    #: shown but not editable: the answer is the default
    read_only: bool = False
    #: which choices are offered, per choice: `region = ${region}` (bare names: the choice's columns;
    #: runtime.offered_choices()); it may use answers from earlier pages only
    choice_filter: str | None = None

    def __post_init__(self) -> None:
        declared = self.question_type
        if declared.default_choices is not None and not self.choices:
            self.choices = [Choice(v, label) for v, label in declared.default_choices]
        for key, value in declared.defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        if self.consent:
            self.required = True

    @property
    def question_type(self) -> types.QuestionType:
        """The type's declaration (surveyapp/questionnaires/types.py)."""
        return types.get(self.type)

    @property
    def is_choice(self) -> bool:
        return self.question_type.has_choices

    @property
    def is_note(self) -> bool:
        """True for questions without an answer (notes)."""
        return not self.question_type.has_answer

    @property
    def is_shown(self) -> bool:
        """False for types kept with the answers but never shown (hidden)."""
        return self.question_type.shown

    @property
    def answered_in_advance(self) -> bool:
        """Read-only and hidden questions: the answer is the default, never what is posted."""
        return self.read_only or not self.question_type.shown

    @functools.cached_property
    def default_value(self):
        """The default as a typed answer; None without one (the loader refuses one that does not parse)."""
        if self.default is None:
            return None
        try:
            return self.question_type.typed_default(self, self.default)
        except types.Invalid:
            return None

    def choice_label(self, value: str) -> str:
        """The label of a choice value; the value itself if it is not one of the choices."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"name": self.name, "type": self.type, "label": self.label}
        if self.required and not self.consent:
            data["required"] = True
        if self.consent:
            data["consent"] = True
        if self.read_only:
            data["read_only"] = True
        if self.choices and self.question_type.custom_choices:
            data["choices"] = [c.to_dict() for c in self.choices]
        for key in _OPTIONAL_FIELDS:
            value = getattr(self, key)
            if value is None:
                continue
            if key in ("min", "max"):
                value = _bound_to_json(value)
            if key == "max_length" and value == self.question_type.defaults.get("max_length"):
                continue
            data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict, page_name: str = "") -> Question:
        qtype = data["type"]
        kwargs = {key: data[key] for key in _OPTIONAL_FIELDS if data.get(key) is not None}
        if "default" in kwargs:
            kwargs["default"] = default_text(kwargs["default"])
        for key in ("min", "max"):
            if key in kwargs:
                kwargs[key] = bound_from_json(qtype, kwargs[key])
        return cls(
            name=data["name"],
            type=qtype,
            label=data["label"],
            required=bool(data.get("required", False)),
            consent=bool(data.get("consent", False)),
            read_only=bool(data.get("read_only", False)),
            choices=[Choice.from_dict(c) for c in data.get("choices") or []],
            page_name=page_name,
            **kwargs,
        )


def default_text(value) -> str:
    """A `default` from the file as text (YAML may give a number or a date)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _bound_to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def bound_from_json(qtype: str, value):
    """A min/max value from JSON/YAML (already validated), typed for the question type."""
    if value is None:
        return None
    bounds = types.get(qtype).bounds
    if bounds is types.BOUNDS_DATE:
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    if bounds is types.BOUNDS_DECIMAL:
        if isinstance(value, float):
            value = repr(value)
        return decimal.Decimal(str(value))
    if bounds is None or bounds is types.BOUNDS_INTEGER:
        return int(value)
    return bounds.parse(value)


@dataclass
class Page:
    name: str
    title: str
    questions: list[Question]
    relevant: str | None = None

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"name": self.name, "title": self.title}
        if self.relevant is not None:
            data["relevant"] = self.relevant
        data["questions"] = [q.to_dict() for q in self.questions]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Page:
        name = data["name"]
        return cls(
            name=name,
            title=data["title"],
            relevant=data.get("relevant"),
            questions=[Question.from_dict(q, name) for q in data["questions"]],
        )


@dataclass
class Questionnaire:
    slug: str
    title: str
    description: str | None
    settings: dict
    pages: list[Page]
    #: other languages' texts, by language code (languages.py; docs/questionnaire-format.md)
    translations: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name: dict[str, Question] | None = None
        #: the language of the texts in this object: the default one, or a translation's
        self.language: str = self.default_language
        #: the questionnaire in its default language (self, unless this is a translation)
        self.original: Questionnaire = self
        for question in self.all_questions():
            question.image_path = f"{self.slug}/{question.image}" if question.image else None

    @property
    def default_language(self) -> str:
        return self.setting("language")

    def languages(self) -> list[languages.Language]:
        """The default language first, then the translations'."""
        return languages.languages_of(self.default_language, self.translations)

    def language_info(self) -> languages.Language:
        """The language of this object's texts (code, own name, direction)."""
        return languages.language_of(self.language, self.translations.get(self.language))

    def translated(self, code: str) -> Questionnaire:
        """This questionnaire with its texts in `code`; itself for its default language or an unknown code."""
        return languages.translate(self.original, code)

    def all_questions(self) -> list[Question]:
        """Every question (notes included), in form order."""
        return [q for page in self.pages for q in page.questions]

    def question(self, name: str) -> Question:
        if self._by_name is None:
            self._by_name = {q.name: q for q in self.all_questions()}
        return self._by_name[name]

    def page(self, name: str) -> Page:
        for page in self.pages:
            if page.name == name:
                return page
        raise KeyError(name)

    def setting(self, key: str):
        """A setting's value, or its documented default."""
        return self.settings.get(key, SETTINGS_DEFAULTS[key])

    def to_dict(self) -> dict:
        data: dict[str, Any] = {"slug": self.slug, "title": self.title}
        if self.description is not None:
            data["description"] = self.description
        if self.settings:
            data["settings"] = settings_to_json(self.settings)
        data["pages"] = [p.to_dict() for p in self.pages]
        if self.translations:
            data["translations"] = self.translations
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Questionnaire:
        return cls(
            slug=data["slug"],
            title=data["title"],
            description=data.get("description"),
            settings=settings_from_json(data.get("settings") or {}),
            pages=[Page.from_dict(p) for p in data["pages"]],
            translations=data.get("translations") or {},
        )


def settings_to_json(settings: dict) -> dict:
    data = dict(settings)
    if isinstance(data.get("closes_on"), datetime.date):
        data["closes_on"] = data["closes_on"].isoformat()
    if "contact_attributes" in data:
        data["contact_attributes"] = list(data["contact_attributes"])
    return data


def settings_from_json(data: dict) -> dict:
    settings = dict(data)
    if isinstance(settings.get("closes_on"), str):
        settings["closes_on"] = datetime.date.fromisoformat(settings["closes_on"])
    return settings

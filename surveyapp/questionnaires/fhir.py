"""HL7 FHIR R4: a questionnaire as a `Questionnaire` resource, answers as a `QuestionnaireResponse`.

Plain Python over the engine's dataclasses; the resources are JSON-ready dicts. Every type is
mapped from its declaration in types.py (how it stores answers, how it is rendered), so a type
added there is exported without listing it here:

    one choice (single_choice, likert, yes_no)  choice, answerOption valueCoding (code = value)
    several choices (multiple_choice)          choice, repeats
    rating                                      integer, itemControl slider, minValue/maxValue,
                                                end labels as display children (itemControl lower/upper)
    integer / decimal / date                    integer / decimal / date (minValue/maxValue)
    short_text / long_text (a textarea)         string / text (maxLength, minLength, regex)
    note (no answer)                            display

Every question also carries the engine's own type (`question_type_extension`), so importing
an export gives the same type back (a likert is a choice to anyone else). A condition that
is one comparison of an earlier question with a constant, or an and/or of such, becomes
`enableWhen`; any other is kept as the SDC enableWhenExpression, in the XLSForm language.
The reverse direction is fhir_import.py; docs/fhir.md has the table.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import zoneinfo
from typing import Any

from lark import Token, Tree

from . import expressions, fhir_translations, types
from .definition import Page, Question, Questionnaire, settings_to_json

SDC_ENABLE_WHEN_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MIN_LENGTH = "http://hl7.org/fhir/StructureDefinition/minLength"
REGEX = "http://hl7.org/fhir/StructureDefinition/regex"
TARGET_CONSTRAINT = "http://hl7.org/fhir/StructureDefinition/targetConstraint"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
DISPLAY_CATEGORY = "http://hl7.org/fhir/StructureDefinition/questionnaire-displayCategory"
DISPLAY_CATEGORY_SYSTEM = "http://hl7.org/fhir/questionnaire-display-category"
#: the media type of an XLSForm expression in an Expression (FHIR's own are FHIRPath, CQL, FHIR query)
XLSFORM_LANGUAGE = "text/x-xlsform"
#: the path of the engine's own extension, under the instance's base URL
QUESTION_TYPE_PATH = "/fhir/StructureDefinition/surveyapp-question-type"
#: the engine's own keys FHIR has no element for, each an extension under this path + "-" + key
ENGINE_KEY_PATH = "/fhir/StructureDefinition/surveyapp"
ENGINE_KEYS = {
    "consent": "valueBoolean",
    "suffix": "valueString",
    "width": "valueInteger",
    "required_message": "valueString",
    "pattern_message": "valueString",
    "default": "valueString",  # exactly as written (FHIR's `initial` is typed, for other systems)
    # which options are offered (XLSForm language; bare names are the options' columns): every option is
    # exported in answerOption, and systems other than this one offer them all
    "choice_filter": "valueString",
}
#: a question's picture (SDC itemMedia: an Attachment with the image's address and its text alternative)
ITEM_MEDIA = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemMedia"
MEDIA_PATH = "/media/"  # where the product serves a survey's images (the `media` blueprint)
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
#: an option's own columns (the choice filter's), as JSON text on the answerOption
CHOICE_COLUMNS_PATH = "/fhir/StructureDefinition/surveyapp-choice-columns"
#: a question never shown (the engine's `hidden` type)
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
#: the survey's settings (public link, reminders...), as JSON text on the Questionnaire
SETTINGS_PATH = "/fhir/StructureDefinition/surveyapp-settings"
TRANSLATIONS_PATH = "/fhir/StructureDefinition/surveyapp-translations"
DEFAULT_CONSTRAINT_MESSAGE = "The answer is not valid"

# The FHIR item types the engine's declarations map to.
CHOICE, INTEGER, DECIMAL, DATE, STRING, TEXT, DISPLAY, GROUP = (
    "choice",
    "integer",
    "decimal",
    "date",
    "string",
    "text",
    "display",
    "group",
)
TIME, DATETIME = "time", "dateTime"
#: a date and time answer is the respondent's wall clock; FHIR wants an offset, taken from this zone unless told
DEFAULT_ZONE = "Europe/London"


def item_type(question_type: types.QuestionType) -> str:
    """The FHIR item type of an engine type, read from its declaration."""
    storage = question_type.storage
    if storage is None:
        return DISPLAY
    if storage.uses_choices:
        return CHOICE
    if storage is types.STORE_INTEGER:
        return INTEGER
    if storage is types.STORE_DECIMAL:
        return DECIMAL
    if storage is types.STORE_DATE:
        return DATE
    if storage is types.STORE_TIME:
        return TIME
    if storage is types.STORE_DATETIME:
        return DATETIME
    return TEXT if question_type.macro == "textarea" else STRING


def is_slider(question_type: types.QuestionType) -> bool:
    """A number read from a row of numbered options (rating): a slider with end labels in FHIR."""
    return question_type.value_kind == "choice-number"


def canonical_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/fhir/Questionnaire/{slug}"


def page_link_ids(questionnaire: Questionnaire) -> dict[str, str]:
    """Each page's group linkId: its name, or name-page when a question has the same name."""
    names = {q.name for q in questionnaire.all_questions()}
    return {p.name: (f"{p.name}-page" if p.name in names else p.name) for p in questionnaire.pages}


def _coding_extension(url: str, system: str, code: str) -> dict:
    return {"url": url, "valueCodeableConcept": {"coding": [{"system": system, "code": code}]}}


def _bound(question_type: types.QuestionType, value) -> dict:
    kind = item_type(question_type)
    if kind == DATE:
        return {"valueDate": value.isoformat()}
    if kind == DECIMAL:
        return {"valueDecimal": _json_number(value)}
    return {"valueInteger": int(value)}


def _json_number(value):
    """A number as JSON writes it: whole numbers as int, others as float (the resource is JSON)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _display(link_id: str, text: str, extension: dict) -> dict:
    return {"linkId": link_id, "type": DISPLAY, "text": text, "extension": [extension]}


def question_item(question: Question, earlier: dict[str, Question], base_url: str) -> list[dict]:
    """The item(s) of one question: the question, and for a note with a hint a display item after it."""
    declared = question.question_type
    kind = item_type(declared)
    item: dict[str, Any] = {"linkId": question.name, "text": question.label, "type": kind}
    extensions: list[dict] = [{"url": base_url.rstrip("/") + QUESTION_TYPE_PATH, "valueCode": question.type}]
    children: list[dict] = []
    if question.relevant:
        condition = enable_when(question.relevant, earlier)
        extensions += condition.pop("extension", [])
        item.update(condition)
    if question.required:
        item["required"] = True
    if kind == CHOICE:
        if declared.storage.multiple:
            item["repeats"] = True
        item["answerOption"] = [_answer_option(c, base_url) for c in question.choices]
    if declared.bounds is not None:
        if question.min is not None:
            extensions.append({"url": MIN_VALUE, **_bound(declared, question.min)})
        if question.max is not None:
            extensions.append({"url": MAX_VALUE, **_bound(declared, question.max)})
    if is_slider(declared):
        extensions.append(_coding_extension(ITEM_CONTROL, ITEM_CONTROL_SYSTEM, "slider"))
        extensions.append({"url": SLIDER_STEP, "valueInteger": 1})
        for end, text in (("lower", question.min_label), ("upper", question.max_label)):
            if text:
                children.append(
                    _display(f"{question.name}-{end}", text, _coding_extension(ITEM_CONTROL, ITEM_CONTROL_SYSTEM, end))
                )
    if kind in (STRING, TEXT):
        if question.min_length is not None:
            extensions.append({"url": MIN_LENGTH, "valueInteger": question.min_length})
        if question.max_length is not None:
            item["maxLength"] = question.max_length
        if question.pattern:
            extensions.append({"url": REGEX, "valueString": question.pattern})
    if question.image_path:
        extensions.append(_item_media(question, base_url))
    if question.read_only:
        item["readOnly"] = True
    if not declared.shown:
        extensions.append({"url": HIDDEN, "valueBoolean": True})
    _initial(question, item, kind)
    if question.constraint:
        extensions.append(_target_constraint(question))
    for key, value_type in ENGINE_KEYS.items():
        value = getattr(question, key)
        if value and key in declared.allowed_keys:
            extensions.append(
                {"url": f"{base_url.rstrip('/')}{ENGINE_KEY_PATH}-{key.replace('_', '-')}", value_type: value}
            )
    item["extension"] = extensions
    hint = None
    if question.hint:
        hint = _display(
            f"{question.name}-hint",
            question.hint,
            _coding_extension(DISPLAY_CATEGORY, DISPLAY_CATEGORY_SYSTEM, "instructions"),
        )
        if kind == DISPLAY:  # a display item has no children: its hint follows it
            return [item, hint]
        children.insert(0, hint)
    if children:
        item["item"] = children
    return [item]


def _item_media(question: Question, base_url: str) -> dict:
    """The question's image as SDC itemMedia: where the product serves it, its type, and its alt text as the
    title (none for an image the author marked as decorative)."""
    attachment: dict[str, Any] = {"url": base_url.rstrip("/") + MEDIA_PATH + question.image_path}
    content_type = IMAGE_TYPES.get(question.image.rsplit(".", 1)[-1].lower())
    if content_type:
        attachment["contentType"] = content_type
    if question.image_alt:
        attachment["title"] = question.image_alt
    return {"url": ITEM_MEDIA, "valueAttachment": dict(sorted(attachment.items()))}


def _answer_option(choice, base_url: str) -> dict:
    option: dict[str, Any] = {"valueCoding": {"code": choice.value, "display": choice.label}}
    if choice.extra:
        option["extension"] = [
            {"url": base_url.rstrip("/") + CHOICE_COLUMNS_PATH, "valueString": json.dumps(dict(choice.extra))}
        ]
    return option


def _initial(question: Question, item: dict, kind: str) -> None:
    """The default answer: `initialSelected` on the options of a choice (FHIR allows no `initial` there), else
    `initial` with the typed value."""
    default = question.default_value
    if default is None:
        return
    if kind == CHOICE:
        chosen = set(default if isinstance(default, list) else [default])
        for option in item["answerOption"]:
            if option["valueCoding"]["code"] in chosen:
                option["initialSelected"] = True
        return
    item["initial"] = answer_values(question, default)


def _target_constraint(question: Question) -> dict:
    return {
        "url": TARGET_CONSTRAINT,
        "extension": [
            {"url": "key", "valueId": f"{question.name.replace('_', '-')}-constraint"[:64]},
            {"url": "severity", "valueCode": "error"},
            {"url": "expression", "valueExpression": {"language": XLSFORM_LANGUAGE, "expression": question.constraint}},
            {"url": "human", "valueString": question.constraint_message or DEFAULT_CONSTRAINT_MESSAGE},
        ],
    }


def page_item(page: Page, link_id: str, earlier: dict[str, Question], base_url: str) -> dict:
    group: dict[str, Any] = {"linkId": link_id, "text": page.title, "type": GROUP}
    if page.relevant:
        group.update(enable_when(page.relevant, earlier))
    items: list[dict] = []
    for question in page.questions:
        items += question_item(question, earlier, base_url)
        earlier[question.name] = question
    group["item"] = items
    return group


def questionnaire_resource(
    questionnaire: Questionnaire,
    base_url: str,
    version: int | None = None,
    status: str = "active",
    date: datetime.datetime | None = None,
) -> dict:
    """The questionnaire as a FHIR R4 Questionnaire resource (a JSON-ready dict).

    `status` is a FHIR publication status (draft, active, retired); `version` is the survey
    version's number, which responses refer to (`url|version`).
    """
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire.slug,
        "url": canonical_url(base_url, questionnaire.slug),
    }
    if version is not None:
        resource["version"] = str(version)
    resource["name"] = _computable_name(questionnaire.slug)
    resource["title"] = questionnaire.title
    resource["status"] = status
    if date is not None:
        resource["date"] = _instant(date)
    if questionnaire.description:
        resource["description"] = questionnaire.description
    if questionnaire.settings:
        settings = json.dumps(settings_to_json(questionnaire.settings), sort_keys=True)
        resource["extension"] = [{"url": base_url.rstrip("/") + SETTINGS_PATH, "valueString": settings}]
    earlier: dict[str, Question] = {}
    link_ids = page_link_ids(questionnaire)
    resource["item"] = [page_item(p, link_ids[p.name], earlier, base_url) for p in questionnaire.pages]
    if questionnaire.translations and questionnaire.original is questionnaire:
        # every text in the other languages, as the standard translation extension (fhir_translations.py)
        resource["language"] = questionnaire.default_language
        block = json.dumps(questionnaire.translations, sort_keys=True, ensure_ascii=False)
        resource.setdefault("extension", []).append(
            {"url": base_url.rstrip("/") + TRANSLATIONS_PATH, "valueString": block}
        )
        others = [lang.code for lang in questionnaire.languages()[1:]]
        fhir_translations.add_translations(
            resource,
            {
                code: questionnaire_resource(questionnaire.translated(code), base_url, version, status, date)
                for code in others
            },
        )
    return resource


def _computable_name(slug: str) -> str:
    """FHIR's computer-friendly name: starts with a capital, letters, digits and underscores only."""
    words = [w for w in slug.replace("-", " ").split() if w]
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name[:1].isalpha() else f"Q{name}"


def _instant(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:  # stored times are UTC (naive ones come from SQLite)
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- conditions ------------------------------------------------------------------------------

_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def enable_when(condition: str, earlier: dict[str, Question]) -> dict:
    """`enableWhen` (and `enableBehavior`) for a simple condition, else the SDC enableWhenExpression."""
    try:
        tree = expressions.syntax_tree(condition)
    except expressions.ExpressionError:
        tree = None
    parts = _simple_parts(tree, earlier) if tree is not None else None
    if parts is not None:
        operands, behaviour = parts
        result: dict[str, Any] = {"enableWhen": operands}
        if len(operands) > 1:
            result["enableBehavior"] = behaviour
        return result
    return {
        "extension": [
            {
                "url": SDC_ENABLE_WHEN_EXPRESSION,
                "valueExpression": {"language": XLSFORM_LANGUAGE, "expression": condition},
            }
        ]
    }


def _simple_parts(tree, earlier) -> tuple[list[dict], str] | None:
    if isinstance(tree, Tree) and tree.data in ("or_", "and_"):
        behaviour = "any" if tree.data == "or_" else "all"
        operands: list[dict] = []
        stack = [tree]
        while stack:  # a or b or c: flatten the same operator, in order
            node = stack.pop()
            if isinstance(node, Tree) and node.data == tree.data:
                stack.extend(reversed(node.children))
                continue
            one = _comparison(node, earlier)
            if one is None:
                return None
            operands.append(one)
        return operands, behaviour
    one = _comparison(tree, earlier)
    return ([one], "all") if one is not None else None


def _reference(node) -> str | None:
    if isinstance(node, Tree) and node.data == "ref":
        return node.children[0].value[2:-1].strip()
    return None


def _literal(node):
    """A constant: ('text', str), ('number', Decimal) or ('date', date); None for anything else."""
    if not isinstance(node, Tree):
        return None
    if node.data == "string":
        return "text", node.children[0].value[1:-1]
    if node.data == "number":
        return "number", decimal.Decimal(node.children[0].value)
    if node.data == "neg":
        inner = _literal(node.children[0])
        return ("number", -inner[1]) if inner and inner[0] == "number" else None
    if node.data == "call" and node.children[0].value == "date":
        args = [a for a in node.children[1:] if a is not None]
        if len(args) == 1 and isinstance(args[0], Tree) and args[0].data == "string":
            text = args[0].children[0].value[1:-1]
            try:
                return "date", datetime.date.fromisoformat(text)
            except ValueError:
                return None
    return None


def _comparison(node, earlier: dict[str, Question]) -> dict | None:
    """One enableWhen for `${q} op constant`, `selected(${q}, 'v')` or `not(selected(...))`; else None."""
    if not isinstance(node, Tree):
        return None
    if node.data == "call":
        return _selected(node, earlier)
    if node.data != "compare":
        return None
    left, op_token, right = node.children
    op = op_token.value if isinstance(op_token, Token) else None
    name, constant = _reference(left), _literal(right)
    if name is None:
        name, constant, op = _reference(right), _literal(left), _FLIPPED.get(op)
    question = earlier.get(name) if name else None
    if question is None or constant is None or op is None:
        return None
    kind, value = constant
    if kind == "text" and value == "" and op in ("=", "!="):
        return {"question": name, "operator": "exists", "answerBoolean": op == "!="}
    answer = _answer_for(question, kind, value, op)
    if answer is None:
        return None
    return {"question": name, "operator": op, **answer}


def _answer_for(question: Question, kind: str, value, op: str) -> dict | None:
    declared = question.question_type
    fhir_type = item_type(declared)
    if fhir_type == CHOICE:
        # `${many} = 'a'` means "exactly a" in XLSForm but "a among them" in FHIR: only selected() maps
        if declared.storage.multiple or op not in ("=", "!=") or kind == "date":
            return None
        code = value if kind == "text" else format(value, "f")
        return {"answerCoding": {"code": code}}
    if fhir_type in (INTEGER, DECIMAL):
        number = value
        if kind == "text":
            try:
                number = decimal.Decimal(value)
            except decimal.InvalidOperation:
                return None
            if not number.is_finite():
                return None
        elif kind != "number":
            return None
        if fhir_type == INTEGER:
            return {"answerInteger": int(number)} if number == number.to_integral_value() else None
        return {"answerDecimal": _json_number(number)}
    if fhir_type == DATE:
        if kind == "text":
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return None
        elif kind != "date":
            return None
        return {"answerDate": value.isoformat()}
    if fhir_type == TIME and kind == "text" and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return {"answerTime": f"{value}:00"}
    if fhir_type in (STRING, TEXT) and kind == "text" and op in ("=", "!="):
        return {"answerString": value}
    return None


def _selected(node: Tree, earlier: dict[str, Question], negate: bool = False) -> dict | None:
    name_token, *args = node.children
    args = [a for a in args if a is not None]
    if name_token.value == "not" and len(args) == 1 and not negate:
        inner = args[0]
        if isinstance(inner, Tree) and inner.data == "call":
            return _selected(inner, earlier, negate=True)
        return None
    if name_token.value != "selected" or len(args) != 2:
        return None
    name, constant = _reference(args[0]), _literal(args[1])
    question = earlier.get(name) if name else None
    if question is None or constant is None or constant[0] != "text":
        return None
    if item_type(question.question_type) != CHOICE:
        return None
    return {"question": name, "operator": "!=" if negate else "=", "answerCoding": {"code": constant[1]}}


# --- answers -------------------------------------------------------------------------------------


def answer_values(question: Question, value, zone: datetime.tzinfo | None = None) -> list[dict]:
    """A typed answer (as runtime.stored_answer gives it) as QuestionnaireResponse answers (`zone`: where a
    date and time was given, Europe/London unless told)."""
    if value is None or value == [] or value == "":
        return []
    kind = item_type(question.question_type)
    if kind == CHOICE:
        values = value if isinstance(value, list) else [value]
        return [{"valueCoding": {"code": str(v), "display": question.choice_label(str(v))}} for v in values]
    if kind == INTEGER:
        return [{"valueInteger": int(value)}]
    if kind == DECIMAL:
        return [{"valueDecimal": _json_number(decimal.Decimal(str(value)))}]
    if kind == DATE:
        return [{"valueDate": value.isoformat() if isinstance(value, datetime.date) else str(value)}]
    if kind == TIME and isinstance(value, datetime.time):
        return [{"valueTime": value.strftime("%H:%M:%S")}]
    if kind == DATETIME and isinstance(value, datetime.datetime):
        # FHIR: a dateTime with a time SHALL have an offset; the answer is a wall-clock time where the survey runs
        local = value.replace(tzinfo=zone or zoneinfo.ZoneInfo(DEFAULT_ZONE)) if value.tzinfo is None else value
        return [{"valueDateTime": local.isoformat(timespec="seconds")}]
    return [{"valueString": str(value)}]


def questionnaire_response(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    questionnaire_reference: str,
    status: str,
    response_id: str | None = None,
    authored: datetime.datetime | None = None,
    zone: datetime.tzinfo | None = None,
) -> dict:
    """One QuestionnaireResponse: the answered questions, grouped by page as in the Questionnaire.

    Nothing about the person who answered: no subject, author or source.
    """
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if response_id is not None:
        resource["id"] = response_id
    resource["questionnaire"] = questionnaire_reference
    resource["status"] = status
    if authored is not None:
        resource["authored"] = _instant(authored)
    link_ids = page_link_ids(questionnaire)
    groups = []
    for page in questionnaire.pages:
        items = []
        for question in page.questions:
            if question.is_note:
                continue
            values = answer_values(question, answers.get(question.name), zone)
            if values:
                items.append({"linkId": question.name, "text": question.label, "answer": values})
        if items:
            groups.append({"linkId": link_ids[page.name], "text": page.title, "item": items})
    if groups:
        resource["item"] = groups
    return resource

"""A FHIR R4 `Questionnaire` (the part that maps onto the engine's types) as a definition dict.

`definition_from_questionnaire(resource)` returns a dict in the native format, which the caller
validates and stores exactly like a YAML file (services/fhir.py goes through
services.surveys.import_definition). Whatever cannot be mapped is refused item by item: one
`FhirImportError.problems` entry per problem, naming the item's linkId and type and saying what
to do; nothing is returned then. The reverse of fhir.py; docs/fhir.md has the table.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import fhir_translations, languages, types
from .fhir import (
    CHOICE_COLUMNS_PATH,
    DEFAULT_CONSTRAINT_MESSAGE,
    ENGINE_KEY_PATH,
    ENGINE_KEYS,
    HIDDEN,
    ITEM_CONTROL,
    ITEM_MEDIA,
    MAX_VALUE,
    MIN_LENGTH,
    MIN_VALUE,
    QUESTION_TYPE_PATH,
    REGEX,
    SDC_ENABLE_WHEN_EXPRESSION,
    SETTINGS_PATH,
    TARGET_CONSTRAINT,
    TRANSLATIONS_PATH,
    XLSFORM_LANGUAGE,
)
from .media import NAME as IMAGE_NAME
from .media import image_name
from .messages import Message

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
CALCULATED = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
)

# What to do instead, for each FHIR item type the engine has no type for.
REFUSED_TYPES = {
    "attachment": Message("file uploads are not supported: remove it, or ask for a description in a 'text' item"),
    "reference": Message("references to other FHIR resources are not supported: remove it, or ask in a 'string' item"),
    "quantity": Message("use a 'decimal' item and put the unit in its text"),
    "open-choice": Message("use 'choice', and add a 'string' item shown when 'other' is chosen"),
    "url": Message("use a 'string' item"),
    "question": Message("the 'question' type is not a real item type: give the item a type such as 'string'"),
    "coding": Message("use 'choice' with answerOption"),
}


class FhirImportError(ValueError):
    """The resource cannot be imported; `problems` says why, one line each, and nothing was imported."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _slugify(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")[:64].strip("-")


def _extensions(element: dict, url: str) -> list[dict]:
    return [e for e in _list(element.get("extension")) if isinstance(e, dict) and e.get("url") == url]


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _extension(element: dict, url: str) -> dict | None:
    found = _extensions(element, url)
    return found[0] if found else None


def _engine_type(item: dict) -> str | None:
    for extension in _list(item.get("extension")):
        if isinstance(extension, dict) and str(extension.get("url", "")).endswith(QUESTION_TYPE_PATH):
            value = extension.get("valueCode")
            return value if isinstance(value, str) else None
    return None


def _initial_text(item: dict) -> str | None:
    """The item's initial answer as a definition's `default`: an option's code (several with spaces), else
    the first `initial` value as text (a dateTime without its seconds and offset: the time as given)."""
    options = [o for o in _list(item.get("answerOption")) if isinstance(o, dict) and o.get("initialSelected") is True]
    if options:
        codes = [
            str(_dict(o.get("valueCoding")).get("code") or o.get("valueString") or o.get("valueInteger"))
            for o in options
        ]
        return " ".join(codes)
    initial = next((i for i in _list(item.get("initial")) if isinstance(i, dict)), None)
    if initial is None:
        return None
    for key, value in initial.items():
        if key == "valueBoolean" and isinstance(value, bool):
            return "yes" if value else "no"
        if key == "valueCoding" and isinstance(value, dict) and isinstance(value.get("code"), str):
            return value["code"]
        if key == "valueTime" and isinstance(value, str):
            return value[:5]
        if key == "valueDateTime" and isinstance(value, str):
            return value[:16]
        if key in ("valueString", "valueInteger", "valueDecimal", "valueDate") and not isinstance(value, bool):
            return str(value)
    return None


def _codes(element: dict, url: str) -> set[str]:
    codes = set()
    for extension in _extensions(element, url):
        for coding in _list(_dict(extension.get("valueCodeableConcept")).get("coding")):
            if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                codes.add(coding["code"])
    return codes


def _bound(element: dict, url: str):
    extension = _extension(element, url)
    if extension is None:
        return None
    for key in ("valueInteger", "valueDecimal", "valueDate"):
        if key in extension:
            return extension[key]
    return None


def _quote(text: str) -> str | None:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


class _Converter:
    def __init__(self, resource: dict):
        self.resource = resource
        self.problems: list[str] = []
        self.names: dict[str, str] = {}  # linkId -> question name
        self.types: dict[str, str] = {}  # question name -> engine type
        self.options: dict[str, dict[str, str]] = {}  # question name -> answer text/code -> choice value
        self.used: set[str] = set()  # question names
        self.page_names: set[str] = set()

    def refuse(self, item: dict, message: str) -> None:
        self.problems.append(
            Message(
                "item '%(link)s' (type %(type)s): %(problem)s",
                link=item.get("linkId", "?"),
                type=item.get("type", "?"),
                problem=message,
            )
        )

    def name_for(self, link_id: str, used: set[str] | None = None) -> str:
        """A question (or page) name from a linkId: itself when it is one, else its letters and digits."""
        used = self.used if used is None else used
        if NAME_RE.match(link_id) and link_id not in used:
            name = link_id
        else:
            base = re.sub(r"[^A-Za-z0-9_]+", "_", link_id).strip("_")[:56] or "item"
            if not re.match(r"[A-Za-z_]", base):
                base = f"q_{base}"
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base}_{n}"
        used.add(name)
        return name

    # --- the whole resource -------------------------------------------------------------------

    def convert(self) -> dict:
        resource = self.resource
        title = resource.get("title") or resource.get("name")
        if not isinstance(title, str) or not title.strip():
            self.problems.append(Message("the Questionnaire has no title: add a 'title'"))
            title = "Untitled"
        slug = next(
            (
                s
                for s in (
                    resource.get("id") if isinstance(resource.get("id"), str) else None,
                    _slugify(resource["name"]) if isinstance(resource.get("name"), str) else None,
                    _slugify(title),
                )
                if s and SLUG_RE.match(s)
            ),
            None,
        )
        if slug is None:
            self.problems.append(Message("the Questionnaire needs an 'id' or 'name' to make the survey's slug from"))
        items = resource.get("item")
        if not isinstance(items, list) or not items:
            self.problems.append(Message("the Questionnaire has no items: add at least one question"))
            items = []
        pages = self.pages(items, title)
        definition: dict[str, Any] = {"slug": slug or "untitled", "title": title.strip()}
        if isinstance(resource.get("description"), str) and resource["description"].strip():
            definition["description"] = resource["description"]
        settings = self.settings()
        if settings:
            definition["settings"] = settings
        definition["pages"] = pages
        if self.problems:
            raise FhirImportError(self.problems)
        return definition

    def settings(self) -> dict | None:
        for extension in _list(self.resource.get("extension")):
            if isinstance(extension, dict) and str(extension.get("url", "")).endswith(SETTINGS_PATH):
                try:
                    settings = json.loads(extension.get("valueString") or "")
                except (TypeError, ValueError, RecursionError):
                    settings = None
                if not isinstance(settings, dict):
                    self.problems.append(Message("the survey settings extension is not a JSON object: remove it"))
                    return None
                return settings
        return None

    def pages(self, items: list, title: str) -> list[dict]:
        pages: list[dict] = []
        loose: list[dict] = []
        for item in items:
            if not isinstance(item, dict):
                self.problems.append(Message("an item that is not a JSON object: remove it"))
                continue
            if item.get("type") == "group":
                if loose:
                    pages.append(self.page({"linkId": f"page_{len(pages) + 1}", "text": title}, loose))
                    loose = []
                pages.append(self.page(item, item.get("item") or []))
            else:
                loose.append(item)
        if loose:
            pages.append(self.page({"linkId": f"page_{len(pages) + 1}", "text": title}, loose))
        return pages

    def page(self, group: dict, items: list) -> dict:
        link_id = str(group.get("linkId") or f"page_{len(self.page_names) + 1}")
        name = self.name_for(link_id[:-5] if link_id.endswith("-page") else link_id, self.page_names)
        page: dict[str, Any] = {"name": name, "title": group.get("text") or name}
        condition = self.condition(group)
        if condition:
            page["relevant"] = condition
        questions: list[dict] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                self.problems.append(
                    Message("group '%(link)s': an item that is not a JSON object: remove it", link=link_id)
                )
                continue
            if item.get("type") == "group":
                self.refuse(
                    item, Message("groups inside groups are not supported: make it a group of its own at the top level")
                )
                continue
            hint_of = next((q for q in questions if f"{q['_link_id']}-hint" == item.get("linkId")), None)
            if item.get("type") == "display" and hint_of is not None and "hint" not in hint_of:
                hint_of["hint"] = item.get("text") or ""  # a note's hint follows it (fhir.py)
                continue
            question = self.question(item)
            if question is not None:
                questions.append(question)
        if not questions and not items:
            self.refuse(group, Message("a group with no items: add questions to it or remove it"))
        for q in questions:
            q.pop("_link_id")
        page["questions"] = questions
        return page

    # --- one item --------------------------------------------------------------------------------

    def question(self, item: dict) -> dict | None:
        link_id, fhir_type = item.get("linkId"), item.get("type")
        if not isinstance(link_id, str) or not link_id:
            self.refuse(item, Message("it has no linkId: give every item a linkId"))
            return None
        if not isinstance(fhir_type, str):
            self.refuse(item, Message("its type is missing or not text: give it a FHIR item type such as 'string'"))
            return None
        if link_id in self.names:
            self.refuse(item, Message("an earlier item has the same linkId: give each item its own"))
            return None
        if fhir_type in REFUSED_TYPES:
            self.refuse(item, REFUSED_TYPES[fhir_type])
            return None
        engine_type = self.engine_type(item)
        if engine_type is None:
            self.refuse(
                item,
                Message(
                    "not a FHIR R4 item type the engine knows: use choice, string, text, integer, decimal, "
                    "date, time, dateTime, boolean, display or group"
                ),
            )
            return None
        before = len(self.problems)
        if any(_extension(item, url) for url in CALCULATED):
            self.refuse(
                item,
                Message(
                    "a calculated item: the engine asks questions only; remove it, or give it a fixed answer in "
                    "'initial' and make it readOnly (the dashboards and exports count the answers)"
                ),
            )
        if item.get("repeats") and fhir_type != "choice":  # a rank is a repeating choice (its order: the answers')
            self.refuse(item, Message("repeated answers are only supported for 'choice' items: remove 'repeats'"))
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            self.refuse(item, Message("it has no text: give it the question's wording in 'text'"))
        name = self.name_for(link_id)
        self.names[link_id] = name
        question: dict[str, Any] = {"_link_id": link_id, "name": name, "type": engine_type, "label": text or ""}
        condition = self.condition(item)
        if item.get("required") and engine_type != "note":
            question["required"] = True
        if engine_type in ("single_choice", "multiple_choice", "likert", "rank"):
            question["choices"] = self.choices(item, name)
        elif engine_type == "yes_no":
            self.options[name] = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
        if (
            item.get("readOnly") is True
            and engine_type != "note"
            and "read_only" in types.get(engine_type).allowed_keys
        ):
            question["read_only"] = True
            question.pop("required", None)  # a read-only question's answer is its initial value
        default = _initial_text(item)
        if default is not None and "default" in types.get(engine_type).allowed_keys:
            question["default"] = default
        self.extras(item, question, engine_type)
        if condition:
            question["relevant"] = condition
        self.types[name] = engine_type
        return question if len(self.problems) == before else None

    def engine_type(self, item: dict) -> str | None:
        fhir_type = item.get("type")
        declared = _engine_type(item)
        if declared in types.names():
            return declared
        hidden = _extension(item, HIDDEN)
        if fhir_type == "string" and hidden is not None and hidden.get("valueBoolean") is True:
            return "hidden"
        if fhir_type == "choice":
            return "multiple_choice" if item.get("repeats") else "single_choice"
        if fhir_type == "integer":
            slider = "slider" in _codes(item, ITEM_CONTROL)
            return "rating" if slider and _bound(item, MIN_VALUE) is not None else "integer"
        return {
            "boolean": "yes_no",
            "decimal": "decimal",
            "date": "date",
            "time": "time",
            "dateTime": "datetime",
            "string": "short_text",
            "text": "long_text",
            "display": "note",
        }.get(fhir_type)

    def choices(self, item: dict, name: str) -> list[dict]:
        options = item.get("answerOption")
        if not isinstance(options, list) or not options:
            self.refuse(
                item, Message("a choice item needs its options listed in answerOption (value sets are not looked up)")
            )
            return []
        choices: list[dict] = []
        lookup: dict[str, str] = {}
        for option in options:
            option = option if isinstance(option, dict) else {}
            if isinstance(option.get("valueCoding"), dict):
                coding = option["valueCoding"]
                value, label = coding.get("code"), coding.get("display") or coding.get("code")
            elif isinstance(option.get("valueString"), str):
                label = option["valueString"]
                value = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:100] or None
            elif isinstance(option.get("valueInteger"), int):
                value = label = str(option["valueInteger"])
            else:
                self.refuse(
                    item, Message("an answerOption that is not a valueCoding, valueString or valueInteger: use codes")
                )
                continue
            if not isinstance(value, str) or not value or re.search(r"\s", value) or len(value) > 100:
                self.refuse(
                    item,
                    Message(
                        "the option code %(code)s is empty, has spaces or is too long: use a short code",
                        code=repr(value),
                    ),
                )
                continue
            lookup[str(option.get("valueString", value))] = value
            choices.append({"value": value, "label": str(label), **_choice_columns(option)})
        self.options[name] = lookup
        return choices

    def extras(self, item: dict, question: dict, engine_type: str) -> None:
        declared = types.get(engine_type)
        if declared.bounds is not None:
            for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
                value = _bound(item, url)
                if value is not None:
                    question[key] = value
        keys = declared.allowed_keys
        if isinstance(item.get("maxLength"), int) and "max_length" in keys:
            question["max_length"] = item["maxLength"]
        min_length = _extension(item, MIN_LENGTH)
        if min_length and "min_length" in keys and isinstance(min_length.get("valueInteger"), int):
            question["min_length"] = min_length["valueInteger"]
        regex = _extension(item, REGEX)
        if regex and "pattern" in keys and isinstance(regex.get("valueString"), str):
            question["pattern"] = regex["valueString"]
        constraint = _extension(item, TARGET_CONSTRAINT)
        if constraint:
            parts = {str(p.get("url")): p for p in _list(constraint.get("extension")) if isinstance(p, dict)}
            expression = _dict(_dict(parts.get("expression")).get("valueExpression"))
            if expression.get("language") != XLSFORM_LANGUAGE or "constraint" not in keys:
                self.refuse(
                    item, Message("a constraint the engine cannot check (only XLSForm expressions are): remove it")
                )
            else:
                question["constraint"] = expression.get("expression")
                human = _dict(parts.get("human")).get("valueString")
                if human and human != DEFAULT_CONSTRAINT_MESSAGE:
                    question["constraint_message"] = human
        self.image(item, question)
        for extension in _list(item.get("extension")):
            url = str(extension.get("url", "")) if isinstance(extension, dict) else ""
            for key, value_type in ENGINE_KEYS.items():
                if url.endswith(f"{ENGINE_KEY_PATH}-{key.replace('_', '-')}") and key in keys:
                    question[key] = extension.get(value_type)
        for child in _list(item.get("item")):
            if not isinstance(child, dict) or child.get("type") != "display":
                self.refuse(item, Message("questions under a question are not supported: move them up, after it"))
                continue
            controls = _codes(child, ITEM_CONTROL)
            if "lower" in controls and "min_label" in keys:
                question["min_label"] = child.get("text")
            elif "upper" in controls and "max_label" in keys:
                question["max_label"] = child.get("text")
            elif "hint" not in question and child.get("text"):
                question["hint"] = child["text"]
        if engine_type == "note" and item.get("item"):
            self.refuse(item, Message("a display item cannot hold other items"))

    def image(self, item: dict, question: dict) -> None:
        """SDC itemMedia: the image's file name (the last part of its address; the file itself is uploaded
        with the survey, as for XLSForm media) and its title as the text alternative."""
        media = _extension(item, ITEM_MEDIA)
        if media is None:
            return
        attachment = _dict(media.get("valueAttachment"))
        address = attachment.get("url")
        name = image_name(address.split("?", 1)[0]) if isinstance(address, str) else ""
        if not name or not IMAGE_NAME.match(name):
            self.refuse(
                item, Message("an item's image has no address ending in a file name: remove the itemMedia extension")
            )
            return
        question["image"] = name
        if isinstance(attachment.get("title"), str) and attachment["title"].strip():
            question["image_alt"] = attachment["title"]

    # --- conditions ---------------------------------------------------------------------------------

    def condition(self, item: dict) -> str | None:
        expression = _extension(item, SDC_ENABLE_WHEN_EXPRESSION)
        if expression is not None:
            value = _dict(expression.get("valueExpression"))
            if value.get("language") != XLSFORM_LANGUAGE or not isinstance(value.get("expression"), str):
                self.refuse(
                    item,
                    Message(
                        "its enableWhenExpression is not in the XLSForm language (FHIRPath is not "
                        "supported): rewrite it as enableWhen"
                    ),
                )
                return None
            return value["expression"]
        conditions = item.get("enableWhen")
        if not conditions:
            return None
        if not isinstance(conditions, list):
            self.refuse(item, Message("enableWhen must be a list"))
            return None
        parts = [self.one_condition(item, c) for c in conditions]
        if any(p is None for p in parts):
            return None
        joiner = " or " if item.get("enableBehavior") == "any" else " and "
        return joiner.join(parts)

    def one_condition(self, item: dict, condition) -> str | None:
        condition = condition if isinstance(condition, dict) else {}
        link_id, op = condition.get("question"), condition.get("operator")
        name = self.names.get(link_id) if isinstance(link_id, str) else None
        if name is None:
            self.refuse(
                item, Message("enableWhen refers to '%(link)s', which is not an earlier question", link=link_id)
            )
            return None
        ref = f"${{{name}}}"
        answer = next(((k, v) for k, v in condition.items() if k.startswith("answer")), (None, None))
        kind, value = answer
        if op == "exists":
            return f"{ref} != ''" if value else f"{ref} = ''"
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            self.refuse(
                item,
                Message(
                    "enableWhen operator %(operator)s is not one of %(operators)s",
                    operator=repr(op),
                    operators="=, !=, <, <=, >, >=, exists",
                ),
            )
            return None
        qtype = self.types.get(name)
        if kind in ("answerCoding", "answerString", "answerBoolean") and op in ("=", "!="):
            if kind == "answerCoding":
                text = (value or {}).get("code") if isinstance(value, dict) else None
            elif kind == "answerBoolean":
                text = "yes" if value else "no"
            else:
                text = value
            text = self.options.get(name, {}).get(str(text), text)
            literal = _quote(str(text)) if text is not None else None
            if literal is None:
                self.refuse(item, Message("an enableWhen answer that has both kinds of quote: simplify it"))
                return None
            if qtype == "multiple_choice":
                selected = f"selected({ref}, {literal})"
                return selected if op == "=" else f"not({selected})"
            return f"{ref} {op} {literal}"
        if kind in ("answerInteger", "answerDecimal") and not isinstance(value, bool):
            if isinstance(value, (int, float)):
                return f"{ref} {op} {value}"
        if kind == "answerDate" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{ref} {op} '{value}'"
        if kind == "answerTime" and isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d(:00)?", value):
            return f"{ref} {op} '{value[:5]}'"
        self.refuse(
            item,
            Message(
                "enableWhen with %(kind)s and %(operator)s cannot be converted: use =, != with a code, text or "
                "yes/no, or a comparison with a number or a date",
                kind=kind or Message("no answer"),
                operator=repr(op),
            ),
        )
        return None


def is_questionnaire(data: Any) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Questionnaire"


def definition_from_questionnaire(resource: Any) -> dict:
    """The definition dict of a FHIR Questionnaire; raises FhirImportError listing every problem."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        raise FhirImportError([Message("this is not a FHIR resource: it has no 'resourceType'")])
    if resource["resourceType"] != "Questionnaire":
        raise FhirImportError(
            [
                Message(
                    "this is a FHIR %(kind)s, not a Questionnaire: only Questionnaires import",
                    kind=str(resource["resourceType"])[:60],
                )
            ]
        )
    try:
        definition = _Converter(resource).convert()
        _add_translations(definition, resource)
        return definition
    except FhirImportError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a shape no FHIR validator would pass
        raise FhirImportError(
            [
                Message(
                    "the Questionnaire is not well-formed FHIR (%(error)s): check it with a FHIR validator",
                    error=exc.__class__.__name__,
                )
            ]
        ) from None


def _add_translations(definition: dict, resource: dict) -> None:
    """The translation extensions on the resource's texts, as the definition's translations block."""
    for extension in _list(resource.get("extension")):
        if isinstance(extension, dict) and str(extension.get("url", "")).endswith(TRANSLATIONS_PATH):
            try:
                block = json.loads(extension.get("valueString") or "")
            except (TypeError, ValueError, RecursionError):
                block = None
            if not isinstance(block, dict):
                raise FhirImportError([Message("the survey translations extension is not a JSON object: remove it")])
            if block:
                definition["translations"] = block  # checked by the loader like any definition's
            return
    codes = [c for c in fhir_translations.languages_in(resource) if languages.valid_code(c)]
    if not codes:
        return
    settings = definition.setdefault("settings", {})
    default = resource.get("language")
    if "language" not in settings and languages.valid_code(default) and default != "en":
        settings["language"] = default
    if not settings:
        definition.pop("settings")
    default = settings.get("language", "en")
    translations = {}
    for code in codes:
        if code == default:
            continue
        translated = fhir_translations.in_language(resource, code)
        entry = languages.translation_between(
            definition, _Converter(translated).convert(), _option_labels(resource, translated)
        )
        if entry:
            translations[code] = entry
    if translations:
        definition["translations"] = translations


def _option_labels(resource: dict, translated: dict) -> dict[str, dict[str, str]]:
    """linkId -> code -> display of each answer option whose display differs in the translated resource."""
    found: dict[str, dict[str, str]] = {}
    stack = list(zip(_list(resource.get("item")), _list(translated.get("item")), strict=False))
    while stack:
        item, other = stack.pop()
        if not isinstance(item, dict) or not isinstance(other, dict):
            continue
        for option, other_option in zip(
            _list(item.get("answerOption")), _list(other.get("answerOption")), strict=False
        ):
            coding, other_coding = (
                _dict(_dict(option).get("valueCoding")),
                _dict(_dict(other_option).get("valueCoding")),
            )
            if isinstance(other_coding.get("display"), str) and other_coding.get("display") != coding.get("display"):
                found.setdefault(str(item.get("linkId")), {})[str(coding.get("code"))] = other_coding["display"]
        stack.extend(zip(_list(item.get("item")), _list(other.get("item")), strict=False))
    return found


def _choice_columns(option: dict) -> dict[str, str]:
    """An option's own columns (for a choice filter), from this product's extension; the loader checks names."""
    for extension in _list(option.get("extension")):
        if isinstance(extension, dict) and str(extension.get("url", "")).endswith(CHOICE_COLUMNS_PATH):
            try:
                columns = json.loads(str(extension.get("valueString") or "{}"))
            except (ValueError, RecursionError):
                return {}
            if isinstance(columns, dict):
                return {str(k): str(v) for k, v in columns.items() if k not in ("value", "label") and v is not None}
    return {}

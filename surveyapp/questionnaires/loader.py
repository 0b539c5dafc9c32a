"""Load and validate questionnaire definition files (YAML or JSON, native format).

Validation reports every problem in the file at once, each with a line number and a
plain-English message; a traceback is always a bug. Structure is checked with the JSON
Schema in schema.json (the same file docs/questionnaire-format.md describes), then
cross-field rules (names, references, expressions, bounds) are checked here.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import expressions, languages, patterns, piping, types
from .definition import Choice, Question, Questionnaire, default_text
from .messages import N_, Message

SCHEMA_PATH = Path(__file__).with_name("schema.json")
MAX_FILE_SIZE = 1_000_000

SLUG_RE = re.compile(r"[a-z0-9-]{1,64}\Z")
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_NAME_LENGTH = 64
#: how deeply mappings and lists may nest (a real definition needs about 6 levels)
MAX_NESTING = 32
#: digits in a whole number (Python refuses to read more than 4,300)
MAX_DIGITS = 100
# What YAML 1.1 accepts as text (its "printable" set); anything else gets a line-numbered problem.
_UNPRINTABLE_RE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The places a problem is in, as the pages name them (each a Message: translated where a page shows it).
WHERE_QUESTIONNAIRE = Message("questionnaire")
WHERE_SETTINGS = Message("settings")
_NAMED = {"page": "page '%(name)s'", "question": "question '%(name)s'"}
_NUMBERED = {"page": "page %(number)s", "question": "question %(number)s"}
_TYPE_WORDS = {
    "string": Message("text"),
    "boolean": Message("true or false"),
    "integer": Message("a whole number"),
    "number": Message("a number"),
    "array": Message("a list"),
    "object": Message("a mapping of keys to values"),
    "null": Message("empty"),
}


@dataclass
class Problem:
    """One problem of a definition. `where` and `message` are English text; where they are a `Message` (most
    are), a page shows them in its interface language (surveyapp/i18n.translate), and str() is the English."""

    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        return self.text()

    def text(self, translate: Callable[[str], str] = str) -> str:
        """ "line 4: question 'age' on page 'about': …", each part through `translate`."""
        parts = [translate(Message("line %(line)s", line=self.line))] if self.line is not None else []
        if self.where:
            parts.append(translate(self.where))
        parts.append(translate(self.message))
        return ": ".join(parts)


class DefinitionError(Exception):
    """A definition file with problems; `.problems` lists every one of them."""

    def __init__(self, problems: list[Problem], source: str = "<string>"):
        self.problems = problems
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# --- YAML with line numbers ---------------------------------------------------


class LineDict(dict):
    """A mapping from the file; `.line` is where it starts, `.key_lines[key]` each key's line."""

    line: int | None = None
    key_lines: dict

    def line_of(self, key) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    line: int | None = None
    item_lines: list = []


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that a definition may not contain (too deep, too long a number)."""


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers, refuses aliases, deep nesting and huge numbers,
    and reads dates and yes/no as text."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys: list[Problem] = []
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            aliases = Message("aliases (%(alias)s) are not supported", alias="*name")
            raise yaml.MarkedYAMLError(None, None, aliases, event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                mark = self.peek_event().start_mark
                message = Message("mappings and lists are nested more than %(max)s levels deep", max=MAX_NESTING)
                raise _Refused(None, None, message, mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = key if isinstance(key, str) else str(key)
        line = key_node.start_mark.line + 1
        if key in result:
            loader.duplicate_keys.append(
                Problem(
                    line,
                    "",
                    Message(
                        "the key '%(key)s' appears twice in the same mapping (first on line %(line)s)",
                        key=key,
                        line=result.key_lines[key],
                    ),
                )
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode):
    digits = sum(c.isdigit() for c in node.value)
    if digits > MAX_DIGITS:
        message = Message("a number has %(digits)s digits (at most %(max)s are allowed)", digits=digits, max=MAX_DIGITS)
        raise _Refused(None, None, message, node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_bool(loader: _LineLoader, node: yaml.ScalarNode):
    # YAML 1.2 booleans only: yes/no/on/off stay text, so `value: no` means 'no'.
    text = loader.construct_scalar(node)
    return {"true": True, "false": False}.get(text.lower(), text)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _unprintable_problems(text: str, limit: int = 5) -> list[Problem]:
    """Control characters (NUL, ESC ...) and non-characters (U+FFFF ...): one problem each, with its line."""
    problems = []
    for match in _UNPRINTABLE_RE.finditer(text):
        if len(problems) == limit:
            problems.append(Problem(None, "", Message("more characters that are not allowed follow")))
            break
        line = text.count("\n", 0, match.start()) + 1
        problems.append(
            Problem(
                line,
                "",
                Message(
                    "the character %(code)s is not allowed in a definition (control characters and non-characters "
                    "cannot be used)",
                    code=f"U+{ord(match.group()):04X}",
                ),
            )
        )
    return problems


def _parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    problems = _unprintable_problems(text)
    if problems:
        return None, problems
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    except _Refused as exc:
        mark = exc.problem_mark
        return None, [Problem(mark.line + 1 if mark is not None else None, "", exc.problem)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or exc.context or Message("the file could not be read")
        return None, [Problem(line, "", Message("YAML syntax error: %(detail)s", detail=detail))]
    except yaml.YAMLError as exc:
        return None, [Problem(None, "", Message("YAML syntax error: %(detail)s", detail=str(exc)))]
    except RecursionError:  # a safety net: nesting is refused above long before this
        return None, [Problem(None, "", Message("the file is nested too deeply to be read"))]
    finally:
        loader.dispose()


# --- locations ----------------------------------------------------------------


def _name_or_number(item: Any, kind: str, index: int) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    if isinstance(name, str) and name:
        return Message(_NAMED[kind], name=name)
    return Message(_NUMBERED[kind], number=index + 1)


def _on_page(question: str, page: str) -> str:
    """ "question 'age' on page 'about'" (the editor finds the question by this English text)."""
    return Message("%(question)s on %(page)s", question=question, page=page)


# for extraction: the named and numbered places above
_PLACES = (N_("page '%(name)s'"), N_("question '%(name)s'"), N_("page %(number)s"), N_("question %(number)s"))


def _locate(data: dict, path: list) -> tuple[str, list]:
    """Who a path points into ("question 'x' on page 'p'") and the rest of the path."""
    if path[:1] == ["pages"] and len(path) >= 2 and isinstance(path[1], int):
        pages = data["pages"]
        page = pages[path[1]]
        where = _name_or_number(page, "page", path[1])
        if len(path) >= 4 and path[2] == "questions" and isinstance(path[3], int):
            question = page["questions"][path[3]]
            return _on_page(_name_or_number(question, "question", path[3]), where), path[4:]
        return where, path[2:]
    if path[:1] == ["choice_lists"] and len(path) >= 2:
        return Message("choice list '%(name)s'", name=path[1]), path[2:]
    if path[:1] == ["settings"]:
        return WHERE_SETTINGS, path[1:]
    if path[:1] == ["translations"] and len(path) >= 2:
        return Message("translation '%(code)s'", code=path[1]), path[2:]
    return WHERE_QUESTIONNAIRE, path


def _follow(data: Any, path: list) -> Any:
    for step in path:
        data = data[step]
    return data


def _line_at(data: dict, path: list) -> int | None:
    """The line of the value at path: its own line if it is a mapping or list, else its key's."""
    value = _follow(data, path)
    if isinstance(value, (LineDict, LineList)):
        return value.line
    if not path:
        return getattr(data, "line", None)
    parent = _follow(data, path[:-1])
    if isinstance(parent, LineDict):
        return parent.line_of(path[-1])
    if isinstance(parent, LineList):
        if isinstance(path[-1], int) and path[-1] < len(parent.item_lines):
            return parent.item_lines[path[-1]]
        return parent.line
    return None


def _prefix(rest: list) -> str:
    """'choice 3: ' for a path inside a list of choices."""
    if len(rest) >= 2 and rest[0] == "choices" and isinstance(rest[1], int):
        return f"choice {rest[1] + 1}: "
    if rest and isinstance(rest[0], int):
        return f"choice {rest[0] + 1}: "
    return ""


def _prefixed(prefix: str, message: str) -> str:
    """`message` after _prefix()'s "choice 3: ", kept a Message so that a page can translate both."""
    number = re.match(r"choice (\d+): \Z", prefix)
    if number:
        return Message("choice %(number)s: %(problem)s", number=int(number.group(1)), problem=message)
    return prefix + message if prefix else message


def _missing(key: str, present: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, [k for k in present if k != key], n=1, cutoff=0.6)
    if close:
        return Message("'%(key)s' is missing (is '%(close)s' a misspelling of it?)", key=key, close=close[0])
    return Message("'%(key)s' is missing", key=key)


def _unknown_key(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    if close:
        return Message("unknown key '%(key)s' (did you mean '%(close)s'?)", key=key, close=close[0])
    return Message("unknown key '%(key)s'", key=key)


def _unknown_type(name: str) -> str:
    known = ", ".join(types.names())
    close = difflib.get_close_matches(str(name), types.names(), n=1, cutoff=0.6)
    if close:
        return Message(
            "unknown type '%(type)s' (did you mean '%(close)s'?) (expected one of: %(known)s)",
            type=name,
            close=close[0],
            known=known,
        )
    return Message("unknown type '%(type)s' (expected one of: %(known)s)", type=name, known=known)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    """ " (did you mean 'label'?)" when a word close to `word` is among `options`, else "" (a Message's value)."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return Message(" (did you mean '%(close)s'?)", close=close[0]) if close else ""


# --- the JSON Schema ------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _schema_file() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The JSON Schema of the native format: schema.json with the registered question types as the
    `type` enum (types.py declares them; docs/questionnaire.schema.json is this for the built-in ones)."""
    schema = json.loads(_schema_file())
    schema["$defs"]["question"]["properties"]["type"] = {"enum": list(types.names())}
    return schema


@functools.lru_cache(maxsize=4)
def _validator_for(type_names: tuple[str, ...]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema())


def _validator() -> jsonschema.Draft202012Validator:
    return _validator_for(types.names())


def _schema_problems(data: dict) -> list[Problem]:
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_translate(data, error))
    return problems


def _translate(data: dict, error: jsonschema.ValidationError) -> list[Problem]:
    path = list(error.absolute_path)
    where, rest = _locate(data, path)
    prefix = _prefix(rest)
    key = path[-1] if path and isinstance(path[-1], str) else None
    line = _line_at(data, path)
    kind = error.validator
    instance = error.instance

    if kind == "anyOf" and isinstance(instance, list):
        inner = [e for e in error.context if e.relative_schema_path[0] == 1]
        return [p for e in inner for p in _translate(data, e)]
    if kind == "required":
        missing = [k for k in error.validator_value if k not in instance]
        # a choice takes extra columns, so its misspelt keys are not refused as unknown: name them here
        present = [k for k in instance if isinstance(k, str)] if prefix and isinstance(instance, dict) else []
        return [Problem(line, where, _prefixed(prefix, _missing(k, present))) for k in missing]
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        return [
            Problem(
                instance.line_of(k) if isinstance(instance, LineDict) else line,
                where,
                _prefixed(prefix, _unknown_key(k, allowed)),
            )
            for k in instance
            if k not in allowed
        ]
    if kind == "enum" and key == "type":
        return [
            Problem(
                line,
                where,
                _unknown_type(instance),
            )
        ]
    what = Message("'%(key)s'", key=key) if key else Message("this")
    if kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        message = Message("%(what)s must be one of: %(options)s", what=what, options=options)
    elif kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        words = [_TYPE_WORDS.get(t, t) for t in expected]
        kinds = words[0] if len(words) == 1 else Message("%(first)s or %(second)s", first=words[0], second=words[1])
        if len(words) > 2:  # the schema has no such rule today; English joins them all
            kinds = " or ".join(words)
        if isinstance(instance, bool) and "string" in expected:
            message = Message("%(what)s must be %(kinds)s (put it in quotes)", what=what, kinds=kinds)
        elif instance is None:
            message = Message("%(what)s must be %(kinds)s, not empty", what=what, kinds=kinds)
        else:
            message = Message("%(what)s must be %(kinds)s", what=what, kinds=kinds)
    elif kind == "minLength":
        message = Message("'%(key)s' is empty", key=key) if key else Message("this is empty")
    elif kind == "maxLength":
        message = Message(
            "%(what)s must be %(count)s characters or fewer", what=what, count=f"{error.validator_value:,}"
        )
    elif kind == "minItems":
        if key == "questions":
            message = Message("the page has no questions")
        else:
            message = Message("%(what)s is an empty list", what=what)
    elif kind == "minimum":
        message = Message("%(what)s must be at least %(value)s", what=what, value=error.validator_value)
    elif kind == "maximum":
        message = Message("%(what)s must be at most %(value)s", what=what, value=error.validator_value)
    elif kind == "anyOf" and key == "choices":
        message = Message("'%(key)s' must be the name of a choice list or a list of choices", key="choices")
    elif kind == "pattern" and key == "image":
        message = Message(
            "'%(key)s' must be the file name of an image uploaded with the survey, made of letters, digits, '.', "
            "'-' and '_' (like pharmacy.png), not '%(value)s'",
            key="image",
            value=instance,
        )
    else:  # pragma: no cover - a schema rule without a translation yet
        message = f"{what}: {error.message}"
    return [Problem(line, where, _prefixed(prefix, message))]


# --- cross-field checks -----------------------------------------------------------


class _Checker:
    def __init__(self, data: dict):
        self.data = data
        self.problems: list[Problem] = []
        self.order: dict[str, int] = {}  # question name -> position in the form
        self.page_of: dict[str, int] = {}  # question name -> page index
        self.types: dict[str, str] = {}
        self.positions: dict[tuple[int, int], float] = {}

    def add(self, line, where, message) -> None:
        self.problems.append(Problem(line, where, message))

    def run(self) -> list[Problem]:
        data = self.data
        slug = data.get("slug")
        if isinstance(slug, str) and not SLUG_RE.match(slug):
            self.add(
                data.line_of("slug"),
                WHERE_QUESTIONNAIRE,
                Message("slug '%(slug)s' must be 1 to 64 lowercase letters, digits or hyphens", slug=slug),
            )
        settings = data.get("settings")
        if isinstance(settings, dict) and isinstance(settings.get("closes_on"), str):
            if not _is_date(settings["closes_on"]):
                self.add(
                    settings.line_of("closes_on"),
                    WHERE_SETTINGS,
                    Message(
                        "'%(key)s' must be a date like 2026-12-31, not '%(value)s'",
                        key="closes_on",
                        value=settings["closes_on"],
                    ),
                )
        if isinstance(settings, dict) and isinstance(settings.get("privacy_url"), str):
            problem = web_address_problem(settings["privacy_url"])
            if problem:
                self.add(
                    settings.line_of("privacy_url"),
                    WHERE_SETTINGS,
                    Message(
                        "'%(key)s' must be a web address starting with https:// or http://, like "
                        "https://example.org/privacy",
                        key="privacy_url",
                    ),
                )
        choice_lists = data.get("choice_lists")
        if isinstance(choice_lists, dict):
            for name, choices in choice_lists.items():
                if not NAME_RE.match(name):
                    self.add(
                        choice_lists.line_of(name),
                        Message("choice list '%(name)s'", name=name),
                        Message(
                            "the name must start with a letter or underscore and contain only letters, digits and "
                            "underscores"
                        ),
                    )
                self.check_choices(choices, Message("choice list '%(name)s'", name=name))
        pages = data.get("pages") if isinstance(data.get("pages"), list) else []
        self.collect_names(pages)
        for page_index, page in enumerate(pages):
            if isinstance(page, dict):
                self.check_page(page, page_index)
        self.check_translations(pages)
        self.check_translated_piping(pages)
        return self.problems

    def check_translated_piping(self, pages: list) -> None:
        """Translated titles, labels and hints follow the same piping rules as the default language's."""
        translations = self.data.get("translations")
        if not isinstance(translations, dict):
            return
        page_index = {p.get("name"): i for i, p in enumerate(pages) if isinstance(p, dict)}
        for code, entry in translations.items():
            if not isinstance(entry, dict):
                continue
            where = Message("translation '%(code)s'", code=code)
            for kind, keys in (("pages", ("title",)), ("questions", ("label", "hint"))):
                found = entry.get(kind)
                if not isinstance(found, dict):
                    continue
                for name, texts in found.items():
                    index = page_index.get(name) if kind == "pages" else self.page_of.get(name)
                    if index is None or not isinstance(texts, dict):
                        continue
                    for key in keys:
                        item = Message(_NAMED[kind[:-1]], name=name)
                        self.check_piping(
                            texts, key, Message("%(translation)s, %(item)s", translation=where, item=item), index
                        )

    def check_translations(self, pages: list) -> None:
        """Language codes, and that every page, question, choice list and choice a translation names exists."""
        settings = self.data.get("settings")
        default = settings.get("language", "en") if isinstance(settings, dict) else "en"
        if isinstance(settings, dict) and isinstance(default, str) and not languages.valid_code(default):
            self.add(settings.line_of("language"), WHERE_SETTINGS, _code_problem(default))
        translations = self.data.get("translations")
        if not isinstance(translations, dict):
            return
        page_names = {p.get("name") for p in pages if isinstance(p, dict)}
        questions = {
            q.get("name"): q
            for p in pages
            if isinstance(p, dict) and isinstance(p.get("questions"), list)
            for q in p["questions"]
            if isinstance(q, dict)
        }
        lists = self.data.get("choice_lists") if isinstance(self.data.get("choice_lists"), dict) else {}
        for code, entry in translations.items():
            where = Message("translation '%(code)s'", code=code)
            if not languages.valid_code(code):
                self.add(translations.line_of(code), where, _code_problem(code))
            if not isinstance(entry, dict):
                continue
            if code == default:
                texts = sorted(set(entry) - {"name", "dir"})
                if texts:
                    self.add(
                        entry.line,
                        where,
                        Message(
                            "'%(code)s' is the default language (settings.language), whose texts are the definition "
                            "itself: only 'name' and 'dir' may be given here, not %(keys)s",
                            code=code,
                            keys=", ".join(texts),
                        ),
                    )
            for kind, known, found in (
                ("page", page_names, entry.get("pages")),
                ("question", questions, entry.get("questions")),
                ("choice list", lists, entry.get("choice_lists")),
            ):
                if not isinstance(found, dict):
                    continue
                for name in found:
                    if name not in known:
                        self.add(
                            found.line_of(name),
                            where,
                            Message(_NO_SUCH[kind], name=name, suggestion=_did_you_mean(name, known)),
                        )
            for name, texts in (
                (entry.get("questions") or {}).items() if isinstance(entry.get("questions"), dict) else ()
            ):
                if name in questions and isinstance(texts, dict) and isinstance(texts.get("choices"), dict):
                    self.check_choice_translations(texts["choices"], self.choice_values(questions[name]), where, name)
            for name, texts in (
                (entry.get("choice_lists") or {}).items() if isinstance(entry.get("choice_lists"), dict) else ()
            ):
                if name in lists and isinstance(texts, dict) and isinstance(lists[name], list):
                    values = [str(c.get("value")) for c in lists[name] if isinstance(c, dict)]
                    self.check_choice_translations(texts, values, where, None, list_name=name)

    def choice_values(self, question: dict) -> list[str] | None:
        """The values a question's answers can take, or None for a question without choices."""
        qtype = question.get("type")
        if qtype not in types.names() or not types.get(qtype).has_choices:
            return None
        choices = question.get("choices")
        if isinstance(choices, str):
            choices = (self.data.get("choice_lists") or {}).get(choices)
        if isinstance(choices, list):
            return [str(c.get("value")) for c in choices if isinstance(c, dict)]
        return [value for value, _ in types.get(qtype).default_choices or ()]

    def check_choice_translations(self, texts: dict, values, where: str, question: str | None, list_name=None) -> None:
        if question:
            owner = Message("question '%(name)s'", name=question)
        else:
            owner = Message("choice list '%(name)s'", name=list_name)
        if values is None:
            self.add(texts.line, where, Message("%(owner)s has no choices to translate", owner=owner))
            return
        for value in texts:
            if value not in values:
                self.add(
                    texts.line_of(value),
                    where,
                    Message(
                        "%(owner)s has no choice with the value '%(value)s'%(suggestion)s",
                        owner=owner,
                        value=value,
                        suggestion=_did_you_mean(value, values),
                    ),
                )

    def collect_names(self, pages: list[dict]) -> None:
        seen_pages: dict[str, int] = {}
        first_line: dict[str, tuple[int, str]] = {}
        for page_index, page in enumerate(pages):
            if not isinstance(page, dict):
                continue
            where = _name_or_number(page, "page", page_index)
            name = page.get("name")
            if isinstance(name, str):
                if not self.valid_name(name, page.line_of("name"), where, "page"):
                    pass
                elif name in seen_pages:
                    self.add(
                        page.line_of("name"),
                        where,
                        Message(
                            "another page is already called '%(name)s' (line %(line)s)",
                            name=name,
                            line=seen_pages[name],
                        ),
                    )
                else:
                    seen_pages[name] = page.line_of("name")
            questions = page.get("questions")
            if not isinstance(questions, list):
                continue
            for index, question in enumerate(questions):
                if not isinstance(question, dict):
                    continue
                # where the question sits in the form, for "comes later" checks
                self.positions[(page_index, index)] = len(self.order) - 0.5
                qname = question.get("name")
                if not isinstance(qname, str):
                    continue
                qwhere = _on_page(_name_or_number(question, "question", index), where)
                if not self.valid_name(qname, question.line_of("name"), qwhere, "question"):
                    continue
                if qname in first_line:
                    line, other = first_line[qname]
                    self.add(
                        question.line_of("name"),
                        qwhere,
                        Message(
                            "the name '%(name)s' is already used by a question on %(page)s (line %(line)s)",
                            name=qname,
                            page=other,
                            line=line,
                        ),
                    )
                    continue
                first_line[qname] = (question.line_of("name"), where)
                self.positions[(page_index, index)] = len(self.order)
                self.order[qname] = len(self.order)
                self.page_of[qname] = page_index
                self.types[qname] = question.get("type")

    def valid_name(self, name: str, line, where, kind) -> bool:
        if NAME_RE.match(name) and len(name) <= MAX_NAME_LENGTH:
            return True
        self.add(
            line,
            where,
            Message(_BAD_NAME[kind], name=name, max=MAX_NAME_LENGTH),
        )
        return False

    def check_choices(self, choices, where: str) -> None:
        if not isinstance(choices, list):
            return
        seen: dict[str, int] = {}
        for index, choice in enumerate(choices):
            if not isinstance(choice, dict) or isinstance(choice.get("value"), bool):
                continue
            value = choice.get("value")
            if value is None:
                continue
            value = str(value)
            line = choice.line_of("value")
            if value.strip() != value or not value:
                self.add(
                    line,
                    where,
                    _choice(
                        index,
                        Message("the value '%(value)s' must not be empty or start or end with spaces", value=value),
                    ),
                )
            elif " " in value:
                self.add(
                    line,
                    where,
                    _choice(
                        index,
                        Message(
                            "the value '%(value)s' must not contain spaces (multiple-choice answers are stored "
                            "space-separated)",
                            value=value,
                        ),
                    ),
                )
            if value in seen:
                self.add(
                    line,
                    where,
                    _choice(
                        index,
                        Message(
                            "the value '%(value)s' is used twice (also on line %(line)s)", value=value, line=seen[value]
                        ),
                    ),
                )
            else:
                seen[value] = line
            for column in choice:
                if column in ("value", "label"):
                    continue
                if column == "name":
                    self.add(
                        choice.line_of(column),
                        where,
                        _choice(
                            index,
                            Message(
                                "a choice column cannot be called 'name' (a choice filter reads the choice's value as "
                                "'name' or 'value'): call the column something else"
                            ),
                        ),
                    )
                elif not isinstance(column, str) or not NAME_RE.match(column) or len(column) > MAX_NAME_LENGTH:
                    self.add(
                        choice.line_of(column),
                        where,
                        _choice(
                            index,
                            Message(
                                "the column name '%(name)s' must start with a letter or underscore, contain only "
                                "letters, digits and underscores, and be at most %(max)s characters",
                                name=column,
                                max=MAX_NAME_LENGTH,
                            ),
                        ),
                    )

    def check_page(self, page: dict, page_index: int) -> None:
        where = _name_or_number(page, "page", page_index)
        relevant = page.get("relevant")
        if isinstance(relevant, str) and relevant.strip():
            self.check_expression(
                relevant, "relevant", page.line_of("relevant"), where, position=None, page_index=page_index
            )
        self.check_piping(page, "title", where, page_index)
        questions = page.get("questions")
        if not isinstance(questions, list):
            return
        kinds = [q.get("type") for q in questions if isinstance(q, dict)]
        if kinds and all(k in types.names() and not types.get(k).shown for k in kinds):
            self.add(
                page.line_of("questions"),
                where,
                Message(
                    "every question on the page is hidden, so the page would be empty: put the hidden questions on a "
                    "page with a question people see"
                ),
            )
        for index, question in enumerate(questions):
            if isinstance(question, dict):
                self.check_piping(
                    question, "label", _on_page(_name_or_number(question, "question", index), where), page_index
                )
                self.check_piping(
                    question, "hint", _on_page(_name_or_number(question, "question", index), where), page_index
                )
                qwhere = _on_page(_name_or_number(question, "question", index), where)
                self.check_question(question, qwhere, page_index, self.positions.get((page_index, index), -1))

    def check_question(self, q: dict, where: str, page_index: int, position: float) -> None:
        qtype = q.get("type")
        if not isinstance(qtype, str) or qtype not in types.names():
            return  # the schema reported the unknown type; nothing else can be judged
        declared = types.get(qtype)
        allowed = declared.allowed_keys
        for key in q:
            if key not in allowed and key in _all_question_keys():
                users = types.names_where(lambda t, key=key: key in t.allowed_keys)
                self.add(
                    q.line_of(key),
                    where,
                    Message(
                        "'%(key)s' does not apply to %(type)s questions (only to: %(types)s)",
                        key=key,
                        type=qtype,
                        types=", ".join(users),
                    ),
                )
        for key, needs in (
            ("pattern_message", "pattern"),
            ("constraint_message", "constraint"),
            ("required_message", "required"),
        ):
            given = q.get(needs) or (needs == "required" and q.get("consent"))
            if key in q and key in allowed and not given:
                self.add(
                    q.line_of(key), where, Message("'%(key)s' is set but '%(needs)s' is not", key=key, needs=needs)
                )

        if declared.needs_choices and "choices" not in q:
            self.add(q.line, where, Message("a %(type)s question needs 'choices'", type=qtype))
        choices = q.get("choices") if "choices" in allowed else None
        if isinstance(choices, str):
            lists = self.data.get("choice_lists")
            lists = lists if isinstance(lists, dict) else {}
            if choices not in lists:
                self.add(
                    q.line_of("choices"),
                    where,
                    Message(
                        "the choice list '%(name)s' is not defined under 'choice_lists'%(suggestion)s",
                        name=choices,
                        suggestion=_did_you_mean(choices, lists),
                    ),
                )
        elif isinstance(choices, list):
            self.check_choices(choices, where)

        self.check_bounds(q, declared, where)
        self.check_default(q, declared, where)
        text = q.get("choice_filter")
        if "choice_filter" in allowed and isinstance(text, str) and text.strip():
            self.check_choice_filter(text, q, where, page_index)
        for key in ("relevant", "constraint"):
            text = q.get(key)
            if key in allowed and isinstance(text, str) and text.strip():
                name = q.get("name") if isinstance(q.get("name"), str) else None
                own_name = name if name is not None and self.order.get(name) == position else None
                self.check_expression(text, key, q.line_of(key), where, position, page_index, own_name=own_name)

    def check_default(self, q: dict, declared: types.QuestionType, where: str) -> None:
        """A default must be an answer the question would accept; a read-only question cannot be required."""
        if q.get("read_only") is True and (q.get("required") is True or q.get("consent") is True):
            self.add(
                q.line_of("read_only"),
                where,
                Message("a read-only question cannot be required (its answer is its default)"),
            )
        if "default" not in q or "default" not in declared.allowed_keys or isinstance(q["default"], bool):
            return
        text = default_text(q["default"])
        try:
            lists = self.data.get("choice_lists") if isinstance(self.data.get("choice_lists"), dict) else {}
            plain = _normalise({"pages": [{"questions": [q]}], "choice_lists": lists})["pages"][0]["questions"][0]
            question = Question.from_dict({**plain, "default": None})
        except (KeyError, TypeError, ValueError, ArithmeticError):  # other problems, reported on their own
            return
        try:
            declared.typed_default(question, text)
        except types.Invalid as problem:
            self.add(
                q.line_of("default"),
                where,
                Message(
                    "'%(key)s' (%(value)s) is not an answer this %(type)s question accepts: %(reason)s",
                    key="default",
                    value=text,
                    type=q["type"],
                    reason=problem.args[0],
                ),
            )

    def check_bounds(self, q: dict, declared: types.QuestionType, where: str) -> None:
        bounds = {}
        for key in ("min", "max"):
            if key not in q or declared.bounds is None or q[key] is None:
                continue
            value = declared.bounds.parse(q[key])
            if value is None:
                self.add(
                    q.line_of(key),
                    where,
                    Message("'%(key)s' must be %(kind)s", key=key, kind=declared.bounds.description),
                )
            else:
                bounds[key] = value
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            self.add(
                q.line_of("min"),
                where,
                Message(
                    "'%(low_key)s' (%(low)s) is greater than '%(high_key)s' (%(high)s)",
                    low_key="min",
                    low=q["min"],
                    high_key="max",
                    high=q["max"],
                ),
            )
        if declared.check_definition is not None:
            for key, message in declared.check_definition(q, bounds):
                self.add(q.line_of(key) if key else q.line, where, message)
        lengths = [q.get(k) for k in ("min_length", "max_length")]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in lengths) and lengths[0] > lengths[1]:
            self.add(
                q.line_of("min_length"),
                where,
                Message(
                    "'%(low_key)s' (%(low)s) is greater than '%(high_key)s' (%(high)s)",
                    low_key="min_length",
                    low=lengths[0],
                    high_key="max_length",
                    high=lengths[1],
                ),
            )
        pattern = q.get("pattern")
        if isinstance(pattern, str) and "pattern" in declared.allowed_keys:
            problem = patterns.problem(pattern)
            if problem:
                self.add(q.line_of("pattern"), where, Message("'%(key)s' %(problem)s", key="pattern", problem=problem))

    def check_piping(self, item: dict, key: str, where: str, page_index: int, line=None) -> None:
        """`${name}` in a label, hint or page title: an answered question on an earlier page, or ${contact.x}."""
        text = item.get(key)
        if not isinstance(text, str):
            return
        line = line if line is not None else item.line_of(key)
        for name, _ in piping.placeholders(text):
            if piping.is_contact_reference(name):
                continue
            if not NAME_RE.match(name):
                self.add(
                    line,
                    where,
                    Message(
                        "'%(key)s' shows '%(placeholder)s', which is not a question name: write %(form)s with an "
                        "earlier question's name, or %(contact)s with a contact attribute",
                        key=key,
                        placeholder=f"${{{name}}}",
                        form="${name}",
                        contact="${contact.name}",
                    ),
                )
            elif name not in self.order:
                self.add(
                    line,
                    where,
                    Message(
                        "'%(key)s' shows unknown question '%(name)s'%(suggestion)s",
                        key=key,
                        name=name,
                        suggestion=_did_you_mean(name, self.order),
                    ),
                )
            elif self.types.get(name) in types.names() and not types.get(self.types[name]).has_answer:
                self.add(
                    line,
                    where,
                    Message("'%(key)s' shows '%(name)s', which is a note and has no answer", key=key, name=name),
                )
            elif self.page_of[name] == page_index:
                self.add(
                    line,
                    where,
                    Message(
                        "'%(key)s' shows the answer to question '%(name)s', which is on the same page (a label, hint "
                        "or page title can only show answers from earlier pages)",
                        key=key,
                        name=name,
                    ),
                )
            elif self.page_of[name] > page_index:
                self.add(
                    line,
                    where,
                    Message(
                        "'%(key)s' shows the answer to question '%(name)s', which comes later in the form (a label, "
                        "hint or page title can only show answers from earlier pages)",
                        key=key,
                        name=name,
                    ),
                )

    def check_choice_filter(self, text: str, q: dict, where: str, page_index: int) -> None:
        """A choice filter: bare names are columns of the question's choices; `${name}` an answer on an earlier
        page (without JavaScript the list is the one the page was rendered with), or ${contact.x}."""
        line = q.line_of("choice_filter")
        try:
            expr = expressions.parse_choice_filter(text)
        except expressions.ExpressionError as exc:
            self.add(line, where, Message("'%(key)s' has an error: %(error)s", key="choice_filter", error=exc.message))
            return
        if expr.uses_current:
            self.add(
                line,
                where,
                Message(
                    "'%(key)s' uses '.', which a choice filter cannot use: name a column of the choices",
                    key="choice_filter",
                ),
            )
        choices = q.get("choices")
        if isinstance(choices, str):
            lists = self.data.get("choice_lists")
            choices = lists.get(choices) if isinstance(lists, dict) else None
        if not isinstance(choices, list):
            choices = []  # built-in choices (likert): value and name only; an unknown list is reported already
        columns = {"value", "name"}
        for choice in choices:
            if isinstance(choice, dict):
                columns.update(k for k in choice if isinstance(k, str) and k != "label")
        for column in sorted(expr.columns - columns):
            self.add(
                line,
                where,
                Message(
                    "'%(key)s' uses '%(column)s', which is not a column of the question's choices%(suggestion)s "
                    "(bare names are the choices' columns, such as %(columns)s; write %(answer)s for the answer to "
                    "a question)",
                    key="choice_filter",
                    column=column,
                    suggestion=_did_you_mean(column, columns),
                    columns=", ".join(sorted(columns - {"name"})),
                    answer=f"${{{column}}}",
                ),
            )
        own = q.get("name")
        for name in sorted(expr.references):
            if piping.is_contact_reference(name):
                continue
            if name not in self.order:
                self.add(line, where, _refers_to_unknown("choice_filter", name, self.order))
            elif self.types.get(name) in types.names() and not types.get(self.types[name]).has_answer:
                self.add(line, where, _refers_to_note("choice_filter", name))
            elif name == own:
                self.add(line, where, _refers_to_itself("choice_filter"))
            elif self.page_of[name] >= page_index:
                self.add(
                    line,
                    where,
                    Message(
                        _FILTER_SAME_PAGE if self.page_of[name] == page_index else _FILTER_LATER_PAGE,
                        key="choice_filter",
                        name=name,
                    ),
                )

    def check_expression(
        self, text: str, key: str, line, where: str, position, page_index: int, own_name: str | None = None
    ) -> None:
        try:
            expr = expressions.parse(text)
        except expressions.ExpressionError as exc:
            self.add(line, where, Message("'%(key)s' has an error: %(error)s", key=key, error=exc.message))
            return
        if expr.uses_current and key != "constraint":
            self.add(
                line,
                where,
                Message("'%(key)s' uses '.' (the current answer), which can only be used in a 'constraint'", key=key),
            )
        for name in sorted(expr.references):
            if piping.is_contact_reference(name):
                continue  # a contact attribute: empty when there is none (docs/questionnaire-format.md#piping)
            if name not in self.order:
                self.add(line, where, _refers_to_unknown(key, name, self.order))
            elif self.types.get(name) == "note":
                self.add(line, where, _refers_to_note(key, name))
            elif position is None:  # a page condition
                if self.page_of[name] >= page_index:
                    self.add(
                        line,
                        where,
                        Message(
                            "'%(key)s' refers to question '%(name)s', which is on this page or a later one (a page "
                            "condition can only use answers from earlier pages)",
                            key=key,
                            name=name,
                        ),
                    )
            elif name == own_name:
                if key == "relevant":
                    self.add(line, where, _refers_to_itself(key))
            elif self.order[name] > position:
                self.add(
                    line,
                    where,
                    Message(
                        "'%(key)s' refers to question '%(name)s', which comes later in the form (a condition can only "
                        "use answers to earlier questions)",
                        key=key,
                        name=name,
                    ),
                )


@functools.lru_cache(maxsize=1)
def _all_question_keys() -> frozenset[str]:
    return frozenset(load_schema()["$defs"]["question"]["properties"])


_WEB_ADDRESS_RE = re.compile(r"https?://[^\s/?#@]+(?:[/?#]\S*)?\Z", re.IGNORECASE)


def web_address_problem(text: str) -> str | None:
    """Why `text` is not a web address people can be sent to (http or https, a host, no spaces), or None.

    Anything else (javascript:, data:, a bare name) is refused: the address becomes a link on the start page."""
    if len(text) > 2000 or not _WEB_ADDRESS_RE.match(text):
        return "must be a web address starting with https:// or http://, like https://example.org/privacy"
    return None


def _code_problem(code) -> str:
    return Message(
        "'%(code)s' is not a language code: use a BCP 47 code such as 'cy', 'ur' or 'en-x-easyread' (a 2 or 3 "
        "letter lowercase language, then subtags; at most %(max)s characters)",
        code=code,
        max=languages.MAX_CODE_LENGTH,
    )


def _choice(index: int, problem: str) -> str:
    """ "choice 3: …" (a choice in a list, counted from 1)."""
    return Message("choice %(number)s: %(problem)s", number=index + 1, problem=problem)


def _refers_to_unknown(key: str, name: str, known) -> str:
    return Message(
        "'%(key)s' refers to unknown question '%(name)s'%(suggestion)s",
        key=key,
        name=name,
        suggestion=_did_you_mean(name, known),
    )


def _refers_to_note(key: str, name: str) -> str:
    return Message("'%(key)s' refers to '%(name)s', which is a note and has no answer", key=key, name=name)


def _refers_to_itself(key: str) -> str:
    return Message("'%(key)s' refers to the question itself", key=key)


#: "there is no page called 'x' in the form", one sentence for each kind of thing a translation names
_NO_SUCH = {
    "page": "there is no page called '%(name)s' in the form%(suggestion)s",
    "question": "there is no question called '%(name)s' in the form%(suggestion)s",
    "choice list": "there is no choice list called '%(name)s' in the form%(suggestion)s",
}
_BAD_NAME = {
    "page": "the page name '%(name)s' must start with a letter or underscore, contain only letters, digits and "
    "underscores, and be at most %(max)s characters",
    "question": "the question name '%(name)s' must start with a letter or underscore, contain only letters, digits "
    "and underscores, and be at most %(max)s characters",
}
_FILTER_SAME_PAGE = N_(
    "'%(key)s' refers to question '%(name)s', which is on the same page (a choice filter can only use answers from "
    "earlier pages: without JavaScript the list is the one the page was shown with)"
)
_FILTER_LATER_PAGE = N_(
    "'%(key)s' refers to question '%(name)s', which is on a later page (a choice filter can only use answers from "
    "earlier pages: without JavaScript the list is the one the page was shown with)"
)
# for extraction: the sentences above
_SENTENCES = (
    N_("there is no page called '%(name)s' in the form%(suggestion)s"),
    N_("there is no question called '%(name)s' in the form%(suggestion)s"),
    N_("there is no choice list called '%(name)s' in the form%(suggestion)s"),
    N_(
        "the page name '%(name)s' must start with a letter or underscore, contain only letters, digits and "
        "underscores, and be at most %(max)s characters"
    ),
    N_(
        "the question name '%(name)s' must start with a letter or underscore, contain only letters, digits and "
        "underscores, and be at most %(max)s characters"
    ),
)


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


# --- building --------------------------------------------------------------------


def _normalise(data: dict) -> dict:
    """The validated file as the dict Questionnaire.from_dict() takes (choices inline)."""
    lists = data.get("choice_lists") or {}
    pages = []
    for page in data["pages"]:
        questions = []
        for q in page["questions"]:
            q = dict(q)
            choices = q.get("choices")
            if isinstance(choices, str):
                choices = lists[choices]
            if choices is not None:
                q["choices"] = [Choice.from_dict(c).to_dict() for c in choices]
            questions.append(q)
        pages.append({**page, "questions": questions})
    result = {k: v for k, v in data.items() if k != "choice_lists"}
    result["pages"] = pages
    if data.get("translations"):
        result["translations"] = _normalise_translations(data, lists)
    return result


def _normalise_translations(data: dict, lists: dict) -> dict:
    """Translations as stored: choice lists' translations written into each question that uses the list
    (a question's own choice translations win), so that they follow the choices inline."""
    list_of = {
        q["name"]: q["choices"]
        for page in data["pages"]
        for q in page["questions"]
        if isinstance(q.get("choices"), str)
    }
    result = {}
    for code, entry in data["translations"].items():
        entry = _plain(entry)
        list_texts = entry.pop("choice_lists", None) or {}
        if list_texts:
            questions = entry.setdefault("questions", {})
            for name, list_name in list_of.items():
                if list_name in list_texts:
                    texts = questions.setdefault(name, {})
                    texts["choices"] = {**list_texts[list_name], **(texts.get("choices") or {})}
        result[code] = entry
    return result


def _plain(value):
    """A LineDict/LineList tree as plain dicts and lists (what JSON stores)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def validate_data(data: Any) -> list[Problem]:
    """Every problem in an already-parsed definition (a dict from YAML or JSON)."""
    if not isinstance(data, dict):
        kind = Message("empty") if data is None else _KIND_WORDS.get(_json_type(data), Message("a single value"))
        return [
            Problem(
                getattr(data, "line", 1 if data is None else None),
                "",
                Message(
                    "a questionnaire file must be a mapping with slug, title and pages; this one is %(kind)s", kind=kind
                ),
            )
        ]
    too_deep = _nesting_problem(data)
    if too_deep:
        return [too_deep]
    if not isinstance(data, LineDict):
        data = _with_lines(data)
    problems = _schema_problems(data) + _Checker(data).run()
    unique: list[Problem] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0))


def _nesting_problem(data: Any) -> Problem | None:
    """Refuse data (e.g. from json.loads) nested deeper than MAX_NESTING or holding huge numbers, without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_DIGITS * 3.33:
                return Problem(None, "", Message("a number has more than %(max)s digits", max=MAX_DIGITS))
            continue
        if depth > MAX_NESTING:
            return Problem(
                getattr(value, "line", None),
                "",
                Message("mappings and lists are nested more than %(max)s levels deep", max=MAX_NESTING),
            )
        stack.extend((child, depth + 1) for child in children)
    return None


_KIND_WORDS = {
    "string": _TYPE_WORDS["string"],
    "array": _TYPE_WORDS["array"],
    "boolean": _TYPE_WORDS["boolean"],
    "number": _TYPE_WORDS["number"],
}


def _json_type(value) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else "value"


def _with_lines(value):
    """A plain dict/list (e.g. from json.loads) as LineDict/LineList without line numbers."""
    if isinstance(value, dict):
        result = LineDict((str(k), _with_lines(v)) for k, v in value.items())
        result.key_lines = {}
        return result
    if isinstance(value, list):
        return LineList(_with_lines(v) for v in value)
    return value


def load_definition_data(data: Any, source: str = "<data>") -> Questionnaire:
    """Validate a parsed definition and build the Questionnaire; raises DefinitionError."""
    problems = validate_data(data)
    if problems:
        raise DefinitionError(problems, source)
    return Questionnaire.from_dict(_normalise(data))


def load_definition_text(text: str, source: str = "<string>") -> Questionnaire:
    """Parse and validate a YAML (or JSON) definition; raises DefinitionError listing every problem."""
    if len(text) > MAX_FILE_SIZE:
        too_large = Message("the file is too large (over %(max)s characters)", max=MAX_FILE_SIZE)
        raise DefinitionError([Problem(None, "", too_large)], source)
    data, problems = _parse_yaml(text)
    if problems and data is None:
        raise DefinitionError(problems, source)
    problems = sorted(problems + validate_data(data), key=lambda p: (p.line is None, p.line or 0))
    if problems:
        raise DefinitionError(problems, source)
    return Questionnaire.from_dict(_normalise(data))


def load_definition_file(path) -> Questionnaire:
    """Load a definition file from disk (UTF-8 YAML or JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([Problem(None, "", Message("the file is not UTF-8 text"))], str(path)) from None
    except OSError as exc:
        problem = Problem(None, "", Message("the file cannot be read: %(reason)s", reason=exc.strerror))
        raise DefinitionError([problem], str(path)) from None
    return load_definition_text(text, source=str(path))

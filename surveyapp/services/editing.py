"""The questionnaire editor's work on a definition: plain functions over a dict, no database.

A definition here is the dict `Questionnaire.to_dict()` writes and `questionnaires.loader` reads (choices
inline). The editing functions change it in place and raise `EditError` (a message for the person editing)
for what cannot be done at all (an unknown page, a move past the end); everything else, including values
that are not valid yet, is kept as typed, and `draft_problems()` reports it with the importer's own
validator. The draft's life on a survey (saving, publishing) is in services/drafts.py.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import yaml
from flask_babel import gettext

from ..questionnaires import expressions, loader, types
from ..questionnaires.definition import column_text

MAX_LABEL = 2000
NAME_LENGTH = 40
#: every key the question form edits (a type shows the ones in its allowed_keys)
QUESTION_KEYS = (
    "label",
    "hint",
    "required",
    "required_message",
    "consent",
    "choices",
    "min",
    "max",
    "min_label",
    "max_label",
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "suffix",
    "width",
    "relevant",
    "constraint",
    "constraint_message",
    "choice_filter",
    "image",
    "image_alt",
    "default",
    "read_only",
)
_INTEGER_KEYS = ("min_length", "max_length", "width", "reminder_max", "reminder_interval_days")
_NUMBER_RE = re.compile(r"-?\d+\Z")
_DECIMAL_RE = re.compile(r"-?(\d+(\.\d*)?|\.\d+)\Z")


class EditError(ValueError):
    """An edit that cannot be made; str() says why, in words for the person editing."""


# --- names and choices ------------------------------------------------------------------


def make_name(label: str, taken: set[str] | frozenset[str] = frozenset(), prefix: str = "q") -> str:
    """A question or page name from its label: lowercase words joined by _, unique among `taken`."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    base = "_".join(words)[:NAME_LENGTH].strip("_") or prefix
    if base[0].isdigit():
        base = f"{prefix}_{base}"[:NAME_LENGTH]
    name, n = base, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    return name


def make_code(label: str, taken: set[str]) -> str:
    """A choice code from its label (no spaces: multiple-choice answers are stored space-separated)."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    base = "_".join(words)[:NAME_LENGTH].strip("_") or "option"
    code, n = base, 2
    while code in taken:
        code = f"{base}_{n}"
        n += 1
    return code


#: a choice's own column at the end of its line: ` | region: north` (for choice filters)
_COLUMN_RE = re.compile(r"\s\|\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^|]*?)\s*\Z")


def _split_columns(line: str) -> tuple[str, dict[str, str]]:
    """A choice line without its ` | column: value` parts at the end, and those columns in order."""
    found: list[tuple[str, str]] = []
    while match := _COLUMN_RE.search(line):
        found.append((match.group(1), match.group(2)))
        line = line[: match.start()].rstrip()
    return line, dict(reversed(found))


def parse_choice_lines(text: str) -> list[dict]:
    """Choices from one line each, `code = label` or just `label` (the code is then made from the label),
    each followed by the choice's own columns if it has any (`leeds = Leeds | region: north`; choice filters
    use them).

    Blank lines are skipped. A line whose part before the first '=' has spaces in it is all label.
    Codes that are not valid (repeated, say) are kept as typed, for the validator to report.
    """
    parsed: list[tuple[str | None, str, dict[str, str]]] = []
    for line in text.splitlines():
        line, columns = _split_columns(line.strip())
        if not line:
            continue
        code, sep, label = line.partition("=")
        code, label = code.strip(), label.strip()
        if sep and code and " " not in code and label:
            parsed.append((code, label, columns))
        else:
            parsed.append((None, line, columns))
    taken = {code for code, _, _ in parsed if code is not None}
    choices = []
    for code, label, columns in parsed:
        if code is None:
            code = make_code(label, taken)
            taken.add(code)
        choices.append({"value": code, "label": label, **columns})
    return choices


def choice_lines(choices) -> str:
    """The editable text of a list of choices: `code = label`, one a line, then the choice's own columns
    (`leeds = Leeds | region: north`), so that editing the answers keeps them."""
    if not isinstance(choices, list):
        return ""
    return "\n".join(
        f"{c.get('value')} = {c.get('label')}"
        + "".join(f" | {k}: {column_text(v)}" for k, v in c.items() if k not in ("value", "label"))
        for c in choices
        if isinstance(c, dict)
    )


# --- finding things -----------------------------------------------------------------------


def pages(definition: dict) -> list[dict]:
    return definition.setdefault("pages", [])


def page_index(definition: dict, page_name: str) -> int:
    for index, page in enumerate(pages(definition)):
        if page.get("name") == page_name:
            return index
    raise EditError(gettext("There is no page called '%(name)s'.", name=page_name))


def find_page(definition: dict, page_name: str) -> dict:
    return pages(definition)[page_index(definition, page_name)]


def find_question(definition: dict, name: str) -> tuple[dict, int]:
    """(the page holding the question, its index on that page)."""
    for page in pages(definition):
        for index, question in enumerate(page.get("questions", [])):
            if question.get("name") == name:
                return page, index
    raise EditError(gettext("There is no question called '%(name)s'.", name=name))


def question_names(definition: dict) -> set[str]:
    return {q.get("name") for page in pages(definition) for q in page.get("questions", [])}


def _move(items: list, index: int, direction: str) -> None:
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(items):
        raise EditError(gettext("It cannot move further that way."))
    items[index], items[target] = items[target], items[index]


# --- the questionnaire and its settings ---------------------------------------------------------


def set_details(definition: dict, title: str, description: str | None) -> None:
    definition["title"] = title.strip()
    if description and description.strip():
        definition["description"] = description.strip()
    else:
        definition.pop("description", None)


def set_settings(definition: dict, values: dict) -> None:
    """Settings from the form: empty values fall back to the documented defaults (left out of the file)."""
    settings = dict(definition.get("settings") or {})
    for key, value in values.items():
        if value is None or value == "":
            settings.pop(key, None)
        else:
            settings[key] = value
    if settings:
        definition["settings"] = settings
    else:
        definition.pop("settings", None)


# --- pages ------------------------------------------------------------------------------


def add_page(definition: dict, title: str) -> str:
    taken = {p.get("name") for p in pages(definition)}
    name = make_name(title, taken, prefix="page")
    pages(definition).append({"name": name, "title": title.strip(), "questions": []})
    return name


def edit_page(definition: dict, page_name: str, title: str, relevant: str | None) -> None:
    page = find_page(definition, page_name)
    page["title"] = title.strip()
    if relevant and relevant.strip():
        page["relevant"] = relevant.strip()
    else:
        page.pop("relevant", None)


def move_page(definition: dict, page_name: str, direction: str) -> None:
    _move(pages(definition), page_index(definition, page_name), direction)


def delete_page(definition: dict, page_name: str) -> None:
    del pages(definition)[page_index(definition, page_name)]


# --- questions ----------------------------------------------------------------------------


def add_question(definition: dict, page_name: str, qtype: str, label: str) -> str:
    """A new question at the end of the page; its name comes from the label. Returns the name."""
    if qtype not in types.names():
        raise EditError(gettext("'%(type)s' is not a question type.", type=qtype))
    page = find_page(definition, page_name)
    name = make_name(label, question_names(definition))
    question: dict = {"name": name, "type": qtype, "label": label.strip()}
    if types.get(qtype).needs_choices:
        question["choices"] = [{"value": "option_1", "label": "Option 1"}, {"value": "option_2", "label": "Option 2"}]
    page.setdefault("questions", []).append(question)
    return name


def typed_value(key: str, text: str, qtype: str):
    """A value typed in the form as the definition holds it; kept as typed when it is not of its kind
    (the validator then says what is wrong, beside the field)."""
    text = text.strip()
    if key in _INTEGER_KEYS:
        return int(text) if _NUMBER_RE.match(text) and len(text) < 20 else text
    if key in ("min", "max"):
        bounds = types.get(qtype).bounds
        if bounds is not types.BOUNDS_DATE and _NUMBER_RE.match(text) and len(text) < 20:
            return int(text)
        if bounds is types.BOUNDS_DECIMAL and _DECIMAL_RE.match(text) and len(text) < 30:
            return text  # to_dict() writes decimals as text, exactly
        return text
    return text


def update_question(definition: dict, name: str, values: dict) -> None:
    """Set the question's editable keys from the form's values (text as typed, booleans, a choice list).

    Empty values remove the key; keys the question's type does not take are removed too.
    """
    page, index = find_question(definition, name)
    question = page["questions"][index]
    allowed = types.get(question["type"]).allowed_keys if question.get("type") in types.names() else frozenset()
    for key in QUESTION_KEYS:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str):
            value = typed_value(key, value, question["type"]) if value.strip() else None
        if key in ("required", "consent", "read_only"):
            value = True if value else None
        if key == "choices" and not value:
            value = None
        if value is None or key not in allowed:
            if key != "label":
                question.pop(key, None)
            continue
        question[key] = value
    if question.get("consent"):
        question.pop("required", None)  # consent questions are required by definition
    for key in list(question):
        if key not in ("name", "type") and key not in allowed:
            question.pop(key)


def change_type(definition: dict, name: str, qtype: str) -> None:
    """Give the question another type: the keys the new type does not take are dropped, and a type that
    needs choices gets the ones the question had, or two to start from."""
    if qtype not in types.names():
        raise EditError(gettext("'%(type)s' is not a question type.", type=qtype))
    page, index = find_question(definition, name)
    question = page["questions"][index]
    if question.get("type") == qtype:
        return
    declared = types.get(qtype)
    question["type"] = qtype
    for key in list(question):
        if key not in ("name", "type") and key not in declared.allowed_keys:
            question.pop(key)
    if declared.needs_choices and not question.get("choices"):
        question["choices"] = [{"value": "option_1", "label": "Option 1"}, {"value": "option_2", "label": "Option 2"}]


def duplicate_question(definition: dict, name: str) -> str:
    page, index = find_question(definition, name)
    copied = copy.deepcopy(page["questions"][index])
    copied["name"] = make_name(f"{name} copy", question_names(definition))
    page["questions"].insert(index + 1, copied)
    return copied["name"]


def move_question(definition: dict, name: str, direction: str) -> None:
    page, index = find_question(definition, name)
    _move(page["questions"], index, direction)


def move_question_to_page(definition: dict, name: str, page_name: str) -> None:
    """Move the question to the end of another page."""
    target = find_page(definition, page_name)
    page, index = find_question(definition, name)
    if page is target:
        return
    target.setdefault("questions", []).append(page["questions"].pop(index))


def delete_question(definition: dict, name: str) -> None:
    page, index = find_question(definition, name)
    del page["questions"][index]


# --- checking -------------------------------------------------------------------------------


def expression_problem(text: str) -> str | None:
    """The engine's parse message for a condition as typed, or None when it parses."""
    if not text or not text.strip():
        return None
    try:
        expressions.parse(text)
    except expressions.ExpressionError as exc:
        return exc.message
    return None


@dataclass
class DraftProblems:
    """The validator's problems, sorted by what they concern, for messages beside the fields."""

    all: list[loader.Problem] = field(default_factory=list)
    #: questionnaire-wide (title, slug, settings), whole problems ("line 2: settings: …")
    general: list[loader.Problem] = field(default_factory=list)
    #: page name -> key ('' for the page as a whole) -> messages
    pages: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: question name -> key ('' for the question as a whole) -> messages
    questions: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.all)

    def for_question(self, name: str) -> dict[str, list[str]]:
        return self.questions.get(name, {})

    def for_page(self, name: str) -> dict[str, list[str]]:
        return self.pages.get(name, {})


QUESTION_WHERE = re.compile(r"question '(?P<question>.+)' on page '(?P<page>.+)'\Z")
PAGE_WHERE = re.compile(r"page '(?P<page>.+)'\Z")
_KEY = re.compile(r"'(\w+)'")


def _key_of(message: str) -> str:
    if message.startswith("choice ") or "needs 'choices'" in message:
        return "choices"
    match = _KEY.match(message)
    return match.group(1) if match else ""


def draft_problems(definition: dict) -> DraftProblems:
    """Every problem of the definition, by the importer's validator (loader.validate_data)."""
    result = DraftProblems(all=loader.validate_data(copy.deepcopy(definition)))
    for problem in result.all:
        question = QUESTION_WHERE.match(problem.where)
        page = PAGE_WHERE.match(problem.where)
        if question:
            keys = result.questions.setdefault(question.group("question"), {})
            keys.setdefault(_key_of(problem.message), []).append(problem.message)
        elif page:
            keys = result.pages.setdefault(page.group("page"), {})
            keys.setdefault(_key_of(problem.message), []).append(problem.message)
        else:
            result.general.append(problem)  # the page translates it (i18n.translate)
    return result


CHECKED_KEYS = ("relevant", "constraint", "choice_filter")


def condition_problems(
    definition: dict, text: str, *, page: str | None = None, question: str | None = None, key: str = "relevant"
) -> list[str]:
    """The validator's messages for an expression as if it stood at that place (a page's or a question's
    condition, or a question's constraint): unknown names with "did you mean", later questions, parse errors.
    Raises EditError for a place that does not exist."""
    if key not in CHECKED_KEYS or (page is None) == (question is None) or (page is not None and key != "relevant"):
        raise EditError(
            gettext("Say which page's condition, or which question's condition, constraint or choice filter, to check.")
        )
    trial = copy.deepcopy(definition)
    if page is not None:
        target = find_page(trial, page)
    else:
        found, index = find_question(trial, question)
        target = found["questions"][index]
    if text.strip():
        target[key] = text
    else:
        target.pop(key, None)
    problems = draft_problems(trial)
    found_problems = problems.for_page(page) if page is not None else problems.for_question(question)
    return found_problems.get(key, [])


# --- YAML -----------------------------------------------------------------------------------


def definition_yaml(definition: dict) -> str:
    """The definition as a YAML file the importer reads (keys in the order the format documents)."""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)

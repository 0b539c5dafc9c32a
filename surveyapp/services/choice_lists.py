"""Shared choice lists in the editor: a definition's `choice_lists`, edited once and used by several questions.

A question uses a shared list when its `choices` is the list's name (the format's own way,
docs/questionnaire-format.md); otherwise its choices are its own, inline. Plain functions over the editor's
definition dict (services/editing.py), changing it in place; `EditError` for what cannot be done. The loader
inlines the lists when a definition is loaded, so a published version stores every question's choices; its
source text keeps the lists, and `restore()` puts them back when a draft starts from that version.
"""

from __future__ import annotations

import copy

import yaml
from flask_babel import gettext

from ..questionnaires import types
from ..questionnaires.definition import column_text
from .editing import EditError, find_question, make_name, pages

#: the source text a version is read again from, to find its shared lists (a definition is at most 1 MB)
MAX_SOURCE = 1_000_000


def lists(definition: dict) -> dict[str, list]:
    """The definition's shared lists, by name (an empty dict when it has none)."""
    found = definition.get("choice_lists")
    return found if isinstance(found, dict) else {}


def list_of(question: dict) -> str | None:
    """The name of the shared list a question uses, or None for its own choices."""
    choices = question.get("choices")
    return choices if isinstance(choices, str) else None


def resolved(definition: dict, question: dict) -> list:
    """A question's choices, its shared list's when it uses one (empty when the list does not exist)."""
    choices = question.get("choices")
    if isinstance(choices, str):
        found = lists(definition).get(choices)
        return found if isinstance(found, list) else []
    return choices if isinstance(choices, list) else []


def users(definition: dict, list_name: str) -> list[dict]:
    """The questions that use a shared list, in form order."""
    return [q for page in pages(definition) for q in page.get("questions", []) if list_of(q) == list_name]


def inlined(definition: dict) -> dict:
    """A copy with every question's choices inline and no `choice_lists` (what the loader stores): for reading
    code that compares or lists choices question by question (changes between versions, translations)."""
    if not lists(definition):
        return definition
    result = copy.deepcopy(definition)
    for page in pages(result):
        for question in page.get("questions", []):
            if list_of(question) is not None:
                question["choices"] = copy.deepcopy(resolved(definition, question))
    result.pop("choice_lists", None)
    return result


def _check(definition: dict, list_name: str) -> list:
    found = lists(definition).get(list_name)
    if found is None:
        raise EditError(gettext("There is no shared list called '%(name)s'.", name=list_name))
    return found


def add_list(definition: dict, title: str, choices: list[dict]) -> str:
    """A new shared list named from `title` (unique among lists), with `choices`; its name."""
    name = make_name(title, set(lists(definition)), prefix="list")
    definition.setdefault("choice_lists", {})
    if not isinstance(definition["choice_lists"], dict):
        definition["choice_lists"] = {}
    definition["choice_lists"][name] = choices
    return name


def set_choices(definition: dict, list_name: str, choices: list[dict]) -> None:
    """The list's choices, as typed (the validator reports repeated or empty codes)."""
    _check(definition, list_name)
    definition["choice_lists"][list_name] = choices


def delete_list(definition: dict, list_name: str) -> None:
    """Remove a list no question uses (a question using it must take its own copy, or another list, first)."""
    _check(definition, list_name)
    using = users(definition, list_name)
    if using:
        names = ", ".join(f"“{q.get('label', q.get('name'))}”" for q in using)
        raise EditError(
            gettext("The list is used by %(names)s: give each its own answers or another list first.", names=names)
        )
    del definition["choice_lists"][list_name]
    if not definition["choice_lists"]:
        del definition["choice_lists"]


def _choice_question(definition: dict, question_name: str) -> dict:
    page, index = find_question(definition, question_name)
    question = page["questions"][index]
    qtype = question.get("type")
    if qtype not in types.names() or not types.get(qtype).custom_choices:
        raise EditError(gettext("Only a question with its own list of answers can use a shared list."))
    return question


def use_list(definition: dict, question_name: str, list_name: str) -> None:
    """The question's answers become the shared list's (its own choices are dropped)."""
    _check(definition, list_name)
    _choice_question(definition, question_name)["choices"] = list_name


def own_copy(definition: dict, question_name: str) -> None:
    """The question takes its own copy of its shared list's choices (later changes to the list leave it)."""
    question = _choice_question(definition, question_name)
    if list_of(question) is None:
        raise EditError(gettext("The question already has its own answers."))
    question["choices"] = copy.deepcopy(resolved(definition, question))


def share(definition: dict, question_name: str, title: str) -> str:
    """The question's own choices become a new shared list (named from `title`), which the question then uses."""
    question = _choice_question(definition, question_name)
    if list_of(question) is not None:
        raise EditError(gettext("The question already uses a shared list."))
    name = add_list(definition, title, copy.deepcopy(resolved(definition, question)))
    question["choices"] = name
    return name


def restore(definition: dict, source_text: str | None) -> dict:
    """The definition of a published version with the shared lists of the file it was published from put back:
    each question that used a list there uses it again, when its choices are still exactly the list's."""
    if not source_text or len(source_text) > MAX_SOURCE or "choice_lists" not in source_text:
        return definition
    try:
        source = yaml.safe_load(source_text)
    except yaml.YAMLError:
        return definition
    source_lists = source.get("choice_lists") if isinstance(source, dict) else None
    if not isinstance(source_lists, dict) or not all(isinstance(v, list) for v in source_lists.values()):
        return definition
    shared = {
        str(k): [
            # the choices' own columns too (choice filters), as text, as the published definition has them
            {"value": str(c.get("value")), "label": c.get("label")}
            | {str(key): column_text(value) for key, value in c.items() if key not in ("value", "label")}
            for c in v
            if isinstance(c, dict)
        ]
        for k, v in source_lists.items()
    }
    used = {
        q.get("name"): q.get("choices")
        for page in (source.get("pages") or [])
        if isinstance(page, dict)
        for q in (page.get("questions") or [])
        if isinstance(q, dict) and isinstance(q.get("choices"), str)
    }
    for page in pages(definition):
        for question in page.get("questions", []):
            name = used.get(question.get("name"))
            if name in shared and question.get("choices") == shared[name]:
                question["choices"] = name
    definition["choice_lists"] = shared
    return definition

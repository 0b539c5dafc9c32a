"""Piped text: `${name}` in a label, hint or page title shows an earlier answer, `${contact.attribute}` a
contact's attribute; and contact attributes as values that conditions can use.

Contact attributes travel in the answers mapping under `contact.<attribute>` keys (`with_contact()`): a
question name never holds a dot, so they cannot clash with answers, and every function of the engine that
takes answers (conditions, constraints, visibility) sees them without another argument. On a public link
there is no contact, so every attribute is empty.

Piping makes plain text: the answer's text (a choice's label, a date as written on the check page) goes into
the label as text, and templates escape labels like any other text, so an answer can never become markup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from .definition import Page, Question, Questionnaire

#: a placeholder as written in a text: ${name} or ${contact.attribute} (spaces inside the braces are ignored)
PLACEHOLDER_RE = re.compile(r"\$\{\s*([^}]*?)\s*\}")
CONTACT_PREFIX = "contact."
#: an attribute name conditions and piping can use (the contact import makes headings lower case with "_")
ATTRIBUTE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: the piped value's length limit: a label stays readable whatever was typed
MAX_PIPED_LENGTH = 500

_EMPTY = (None, "", [])


def contact_key(attribute: str) -> str:
    """The key of a contact attribute in the answers mapping (and in expressions: ${contact.area})."""
    return CONTACT_PREFIX + attribute


def is_contact_reference(name: str) -> bool:
    """True for `contact.<attribute>` with an attribute name expressions can use."""
    return name.startswith(CONTACT_PREFIX) and bool(ATTRIBUTE_RE.match(name[len(CONTACT_PREFIX) :]))


def with_contact(answers: Mapping[str, object], attributes: Mapping[str, object] | None) -> dict:
    """The answers with the contact's attributes added under `contact.<attribute>` (text values)."""
    merged = dict(answers)
    for name, value in (attributes or {}).items():
        if isinstance(name, str) and ATTRIBUTE_RE.match(name) and value is not None:
            merged[contact_key(name)] = str(value)
    return merged


def placeholders(text: str | None) -> list[tuple[str, int]]:
    """The names a text pipes, with each one's offset in the text."""
    if not text or "${" not in text:
        return []
    return [(match.group(1), match.start()) for match in PLACEHOLDER_RE.finditer(text)]


def answer_text(question: Question, value) -> str:
    """An answer as text inside a sentence: a choice's label, a number, a date; empty when unanswered."""
    if value in _EMPTY or question.is_note:
        return ""
    text = str(question.question_type.format(question, value))
    if len(text) > MAX_PIPED_LENGTH:
        text = text[: MAX_PIPED_LENGTH - 1] + "…"
    return text


def pipe(text: str | None, questionnaire: Questionnaire, answers: Mapping[str, object]) -> str | None:
    """The text with each placeholder replaced by the answer (or attribute) it names; empty when there is none.

    Plain text in, plain text out (templates escape it). A name the loader would refuse gives empty text."""
    if not text or "${" not in text:
        return text

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith(CONTACT_PREFIX):
            value = answers.get(name)
            return "" if value is None else str(value)[:MAX_PIPED_LENGTH]
        try:
            question = questionnaire.question(name)
        except KeyError:
            return ""
        return answer_text(question, answers.get(name))

    return PLACEHOLDER_RE.sub(replace, text)


def piped_question(question: Question, questionnaire: Questionnaire, answers: Mapping[str, object]) -> Question:
    """The question itself when its label and hint pipe nothing, else a copy showing the answers."""
    if "${" not in question.label and not (question.hint and "${" in question.hint):
        return question
    piped = dataclasses.replace(
        question,
        label=pipe(question.label, questionnaire, answers),
        hint=pipe(question.hint, questionnaire, answers),
    )
    piped.image_path = question.image_path  # set by the Questionnaire, not an init field: replace() drops it
    return piped


def piped_page(page: Page, questionnaire: Questionnaire, answers: Mapping[str, object]) -> Page:
    """The page itself when nothing on it pipes, else a copy (title and questions) showing the answers."""
    questions = [piped_question(q, questionnaire, answers) for q in page.questions]
    title = pipe(page.title, questionnaire, answers)
    if title == page.title and all(a is b for a, b in zip(questions, page.questions, strict=True)):
        return page
    return dataclasses.replace(page, title=title, questions=questions)


def _texts(questionnaire: Questionnaire) -> Iterable[str]:
    for page in questionnaire.pages:
        yield from (t for t in (page.title, page.relevant) if t)
        for q in page.questions:
            yield from (t for t in (q.label, q.hint, q.relevant, q.constraint, q.choice_filter) if t)


def contact_attributes_used(questionnaire: Questionnaire) -> frozenset[str]:
    """The contact attributes a questionnaire's texts and conditions use (kept on the object after the first call)."""
    cached = questionnaire.__dict__.get("_contact_attributes_used")
    if cached is None:
        found = set()
        for text in _texts(questionnaire):
            if "contact." in text:
                found.update(
                    name[len(CONTACT_PREFIX) :]
                    for name in re.findall(r"\$\{\s*([^}]*?)\s*\}", text)
                    if is_contact_reference(name)
                )
        cached = questionnaire.__dict__["_contact_attributes_used"] = frozenset(found)
    return cached

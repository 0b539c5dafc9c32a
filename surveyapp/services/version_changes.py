"""What changed between two versions of a questionnaire, in words: pages and questions added, removed,
moved, reworded; choices; conditions. Plain functions over two definition dicts (Questionnaire.to_dict()).

The words are `Message`s: English text (str() and the tests read it) that the editor's page shows in the staff
member's interface language (surveyapp/i18n.translate); the survey's own texts inside them stay as written."""

from __future__ import annotations

from dataclasses import dataclass

from ..questionnaires.messages import Message


class _Capitalised(Message):
    """A Message whose first letter is a capital in every language ("Lowest value: 3" beside "lowest value")."""

    def __new__(cls, msgid: str, **values):
        self = str.__new__(cls, _capital(str(Message(msgid, **values))))
        self.msgid, self.values = msgid, values
        return self

    def render(self, translated, date_format=None, translate=None) -> str:
        return _capital(super().render(translated, date_format, translate))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _capitalised(words: Message) -> Message:
    return _Capitalised(words.msgid, **words.values)


#: question keys reported by name when they change (label, choices, conditions and type have their own words)
_OTHER_KEYS = {
    "hint": Message("hint"),
    "required": Message("whether an answer is required"),
    "required_message": Message("message when there is no answer"),
    "consent": Message("consent"),
    "min": Message("lowest value"),
    "max": Message("highest value"),
    "min_label": Message("label of the lowest point"),
    "max_label": Message("label of the highest point"),
    "min_length": Message("fewest characters"),
    "max_length": Message("most characters"),
    "pattern": Message("pattern"),
    "pattern_message": Message("pattern message"),
    "constraint": Message("rule the answer must satisfy"),
    "constraint_message": Message("message when the rule fails"),
    "choice_filter": Message("which answers are offered"),
    "suffix": Message("text after the box"),
    "width": Message("width of the box"),
}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed, moved
    what: str  # questionnaire, page, question
    name: str
    text: str
    # The two sides, for the side-by-side view: the text as it was and as it is ("" where it did not exist).
    before: str = ""
    after: str = ""


def _settings_side(settings: dict, keys: list[str]) -> Message:
    """One line per changed setting ("closes_on: 2026-01-31", "(not set)" translated where it had no value): a
    Message whose msgid is only the lines' placeholders, so each line is translated and the whole is not."""
    lines = {
        f"line{i}": Message("%(setting)s: %(value)s", setting=key, value=_shown(settings.get(key)) or NOT_SET)
        for i, key in enumerate(keys)
    }
    placeholders = "\n".join(f"%({name})s" for name in lines)  # not in the catalogue: gettext gives it back
    return Message(placeholders, **lines)


NOT_SET = Message("(not set)")


def _shown(value) -> str:
    """A setting's or an option's value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return Message("yes") if value else Message("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _pages(definition: dict) -> dict[str, dict]:
    return {p.get("name"): p for p in definition.get("pages") or [] if isinstance(p, dict)}


def _questions(definition: dict) -> dict[str, tuple[str, dict]]:
    return {
        q.get("name"): (p.get("name"), q)
        for p in definition.get("pages") or []
        if isinstance(p, dict)
        for q in p.get("questions") or []
        if isinstance(q, dict)
    }


def _choices(question: dict) -> dict[str, str]:
    choices = question.get("choices")
    return (
        {str(c.get("value")): c.get("label") for c in choices if isinstance(c, dict)}
        if isinstance(choices, list)
        else {}
    )


def _condition(text) -> str:
    return f"‘{text}’" if text else Message("none")


def version_changes(old: dict, new: dict) -> list[Change]:
    """Every change from `old` to `new`, in the new form's order, removals last."""
    changes: list[Change] = []
    if old.get("title") != new.get("title"):
        changes.append(
            Change(
                "changed",
                "questionnaire",
                "",
                Message("Title: ‘%(before)s’ became ‘%(after)s’", before=old.get("title"), after=new.get("title")),
                _shown(old.get("title")),
                _shown(new.get("title")),
            )
        )
    if old.get("description") != new.get("description"):
        changes.append(
            Change(
                "changed",
                "questionnaire",
                "",
                Message("Description changed"),
                _shown(old.get("description")),
                _shown(new.get("description")),
            )
        )
    old_settings, new_settings = old.get("settings") or {}, new.get("settings") or {}
    if old_settings != new_settings:
        keys = sorted(set(old_settings) | set(new_settings))
        changed = [k for k in keys if old_settings.get(k) != new_settings.get(k)]
        changes.append(
            Change(
                "changed",
                "questionnaire",
                "",
                Message("Settings changed: %(keys)s", keys=", ".join(changed)),
                _settings_side(old_settings, changed),
                _settings_side(new_settings, changed),
            )
        )

    old_pages, new_pages = _pages(old), _pages(new)
    old_order = [n for n in old_pages if n in new_pages]
    new_order = [n for n in new_pages if n in old_pages]
    for name, page in new_pages.items():
        before = old_pages.get(name)
        if before is None:
            changes.append(
                Change(
                    "added",
                    "page",
                    name,
                    Message("Page ‘%(title)s’ added", title=page.get("title")),
                    "",
                    page.get("title"),
                )
            )
            continue
        if before.get("title") != page.get("title"):
            changes.append(
                Change(
                    "changed",
                    "page",
                    name,
                    Message(
                        "Page ‘%(before)s’ renamed ‘%(after)s’", before=before.get("title"), after=page.get("title")
                    ),
                    before.get("title"),
                    page.get("title"),
                )
            )
        if before.get("relevant") != page.get("relevant"):
            changes.append(
                Change(
                    "changed",
                    "page",
                    name,
                    Message(
                        "Page ‘%(title)s’: condition %(before)s became %(after)s",
                        title=page.get("title"),
                        before=_condition(before.get("relevant")),
                        after=_condition(page.get("relevant")),
                    ),
                    _shown(before.get("relevant")),
                    _shown(page.get("relevant")),
                )
            )
    if old_order != new_order:
        changes.append(
            Change(
                "moved",
                "page",
                "",
                Message("Pages reordered"),
                "\n".join(_shown(old_pages[n].get("title")) for n in old_order),
                "\n".join(_shown(new_pages[n].get("title")) for n in new_order),
            )
        )

    old_questions, new_questions = _questions(old), _questions(new)
    for name, (page_name, question) in new_questions.items():
        label = question.get("label")
        if name not in old_questions:
            title = new_pages.get(page_name, {}).get("title")
            added = Message("Question ‘%(label)s’ added on page ‘%(title)s’", label=label, title=title)
            changes.append(Change("added", "question", name, added, "", label))
            continue
        old_page, before = old_questions[name]
        changes.extend(_question_changes(name, before, question))
        if old_page != page_name:
            title = new_pages.get(page_name, {}).get("title")
            old_title = old_pages.get(old_page, {}).get("title")
            changes.append(
                Change(
                    "moved",
                    "question",
                    name,
                    Message("Question ‘%(label)s’ moved to page ‘%(title)s’", label=label, title=title),
                    Message("On page ‘%(title)s’", title=old_title),
                    Message("On page ‘%(title)s’", title=title),
                )
            )
    for name, (_page_name, question) in old_questions.items():
        if name not in new_questions:
            label = question.get("label")
            changes.append(
                Change("removed", "question", name, Message("Question ‘%(label)s’ removed", label=label), label, "")
            )
    for name, page in old_pages.items():
        if name not in new_pages:
            changes.append(
                Change(
                    "removed",
                    "page",
                    name,
                    Message("Page ‘%(title)s’ removed", title=page.get("title")),
                    page.get("title"),
                    "",
                )
            )
    return changes


def _question_changes(name: str, before: dict, after: dict) -> list[Change]:
    label = after.get("label")
    changes = []
    if before.get("label") != label:
        changes.append(
            Change(
                "changed",
                "question",
                name,
                Message("Question ‘%(before)s’ reworded: ‘%(after)s’", before=before.get("label"), after=label),
                before.get("label"),
                label,
            )
        )
    if before.get("type") != after.get("type"):
        changes.append(
            Change(
                "changed",
                "question",
                name,
                Message(
                    "‘%(label)s’: type %(before)s became %(after)s",
                    label=label,
                    before=before.get("type"),
                    after=after.get("type"),
                ),
                Message("Type: %(type)s", type=before.get("type")),
                Message("Type: %(type)s", type=after.get("type")),
            )
        )
    old_choices, new_choices = _choices(before), _choices(after)
    for value, text in new_choices.items():
        if value not in old_choices:
            changes.append(
                Change(
                    "added",
                    "question",
                    name,
                    Message("‘%(label)s’: answer ‘%(answer)s’ added", label=label, answer=text),
                    "",
                    f"{value} = {text}",
                )
            )
        elif old_choices[value] != text:
            changes.append(
                Change(
                    "changed",
                    "question",
                    name,
                    Message(
                        "‘%(label)s’: answer ‘%(before)s’ reworded: ‘%(after)s’",
                        label=label,
                        before=old_choices[value],
                        after=text,
                    ),
                    f"{value} = {old_choices[value]}",
                    f"{value} = {text}",
                )
            )
    for value, text in old_choices.items():
        if value not in new_choices:
            changes.append(
                Change(
                    "removed",
                    "question",
                    name,
                    Message("‘%(label)s’: answer ‘%(answer)s’ removed", label=label, answer=text),
                    f"{value} = {text}",
                    "",
                )
            )
    if list(old_choices) != [v for v in new_choices if v in old_choices] and set(old_choices) & set(new_choices):
        kept = [v for v in old_choices if v in new_choices]
        if kept != [v for v in new_choices if v in old_choices]:
            changes.append(
                Change(
                    "moved",
                    "question",
                    name,
                    Message("‘%(label)s’: answers reordered", label=label),
                    "\n".join(f"{v} = {old_choices[v]}" for v in kept),
                    "\n".join(f"{v} = {new_choices[v]}" for v in new_choices if v in old_choices),
                )
            )
    if before.get("relevant") != after.get("relevant"):
        changes.append(
            Change(
                "changed",
                "question",
                name,
                Message(
                    "‘%(label)s’: condition %(before)s became %(after)s",
                    label=label,
                    before=_condition(before.get("relevant")),
                    after=_condition(after.get("relevant")),
                ),
                _shown(before.get("relevant")),
                _shown(after.get("relevant")),
            )
        )
    for key, words in _OTHER_KEYS.items():
        if before.get(key) != after.get(key):
            changes.append(
                Change(
                    "changed",
                    "question",
                    name,
                    Message("‘%(label)s’: %(words)s changed", label=label, words=words),
                    Message("%(words)s: %(value)s", words=_capitalised(words), value=_shown(before.get(key))),
                    Message("%(words)s: %(value)s", words=_capitalised(words), value=_shown(after.get(key))),
                )
            )
    return changes

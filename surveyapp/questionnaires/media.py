"""Image names in a questionnaire: a question's `image` names a file stored with the survey.

The engine only names images; storing, checking and serving them is services/images.py and media/.
"""

from __future__ import annotations

import re

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


def image_name(filename: str) -> str:
    """A file's name as a questionnaire refers to it: its last path part, other characters as `-`."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", base)
    return re.sub(r"-+\.", ".", name).strip("-.")[:100]


def used_images(questionnaire) -> dict[str, list[str]]:
    """Image name → the questions (names) that show it, in the default language or any translation."""
    used: dict[str, list[str]] = {}
    original = questionnaire.original
    for question in original.all_questions():
        if question.image:
            used.setdefault(question.image, []).append(question.name)
    for entry in original.translations.values():
        for name, texts in ((entry or {}).get("questions") or {}).items():
            image = (texts or {}).get("image")
            if image and name not in used.get(image, []):
                used.setdefault(image, []).append(name)
    return used

"""Translations in FHIR: the standard `translation` extension on a Questionnaire's texts, both ways.

Export: the resource is built once per language (the same code, so the same shape) and every text that
differs from the default language's gets, beside it, `_text` (or `_title`, `_display`, `_valueString`...)
with one `translation` extension per language: `{"url": TRANSLATION, "extension": [{"url": "lang",
"valueCode": "cy"}, {"url": "content", "valueString": "..."}]}`. `resource.language` is the default.

Import: the engine's own translations extension (the whole translations block as JSON, which fhir.py
writes too) gives the block exactly. Without it (a Questionnaire from elsewhere), for each language found in
the translation extensions, the resource with the texts replaced by their translation is converted like the
original, and what differs between the two definitions is that language's entry of the translations block
(languages.translation_between).

Plain Python: no Flask, no database.
"""

from __future__ import annotations

import copy
from typing import Any

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
#: the elements whose string values are texts a person reads and may carry a translation extension
#: (an extension's own valueString may not: fhir.resources refuses `_valueString`, so the engine's messages
#: and settings in other languages travel in the translations extension of fhir.py instead)
TEXT_KEYS = ("title", "description", "text", "display")


def _translation(code: str, text: str) -> dict:
    return {
        "url": TRANSLATION,
        "extension": [{"url": "lang", "valueCode": code}, {"url": "content", "valueString": text}],
    }


def add_translations(resource: dict, translated: dict[str, dict]) -> dict:
    """`resource` (the default language) with translation extensions from each language's resource."""
    for code, other in translated.items():
        _annotate(resource, other, code)
    return resource


def _annotate(node: Any, other: Any, code: str) -> None:
    if isinstance(node, dict) and isinstance(other, dict):
        for key in TEXT_KEYS:
            text, translated = node.get(key), other.get(key)
            if isinstance(text, str) and isinstance(translated, str) and translated != text:
                node.setdefault(f"_{key}", {}).setdefault("extension", []).append(_translation(code, translated))
        for key, value in node.items():
            if not key.startswith("_") and key in other:
                _annotate(value, other[key], code)
    elif isinstance(node, list) and isinstance(other, list):
        for mine, theirs in _pairs(node, other):
            _annotate(mine, theirs, code)


def _pairs(mine: list, theirs: list) -> list[tuple]:
    """Items by linkId where they have one (a translation may add a hint item), else by position."""
    if all(isinstance(i, dict) and "linkId" in i for i in mine + theirs):
        by_id = {i["linkId"]: i for i in theirs}
        return [(i, by_id[i["linkId"]]) for i in mine if i["linkId"] in by_id]
    return list(zip(mine, theirs, strict=False)) if len(mine) == len(theirs) else []


def languages_in(resource: Any) -> list[str]:
    """The language codes of every translation extension in the resource, in the order first met."""
    found: list[str] = []
    stack = [resource]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("url") == TRANSLATION:
                code = _part(node, "lang", "valueCode")
                if isinstance(code, str) and code not in found:
                    found.append(code)
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def _part(extension: dict, name: str, value_key: str):
    for part in extension.get("extension") or []:
        if isinstance(part, dict) and part.get("url") == name:
            return part.get(value_key)
    return None


def in_language(resource: dict, code: str) -> dict:
    """A copy of the resource whose texts are replaced by their translation into `code` where there is one."""
    result = copy.deepcopy(resource)
    stack = [result]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in TEXT_KEYS:
                extension = node.get(f"_{key}")
                if isinstance(node.get(key), str) and isinstance(extension, dict):
                    for candidate in extension.get("extension") or []:
                        if (
                            isinstance(candidate, dict)
                            and candidate.get("url") == TRANSLATION
                            and _part(candidate, "lang", "valueCode") == code
                            and isinstance(_part(candidate, "content", "valueString"), str)
                        ):
                            node[key] = _part(candidate, "content", "valueString")
            stack.extend(v for k, v in node.items() if not k.startswith("_"))
        elif isinstance(node, list):
            stack.extend(node)
    return result

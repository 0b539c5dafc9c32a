"""Regular expressions written by survey authors: refused when they can backtrack catastrophically,
and always run with a time limit, so no answer can hold a worker.

`problem(pattern)` is what the loader and the expression checker call at import; it
refuses invalid patterns and nested quantifiers such as `(a+)+` or `(\\w*)*`, whose
matching time doubles with each character of a non-matching answer. `full_match()` and
`search()` run a pattern with the `regex` package's `timeout=`; a pattern that runs out
of time counts as not matching.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants
import re._parser as sre_parse

import regex

from .messages import Message

#: seconds one pattern may take on one answer
TIMEOUT_SECONDS = 0.05
MAX_PATTERN_LENGTH = 1000

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def problem(pattern: str) -> str | None:
    """Why the pattern is refused, in plain English ("is not a valid ..."); None when it is acceptable."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return Message("is longer than %(max)s characters", max=MAX_PATTERN_LENGTH)
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        reason = getattr(exc, "msg", None) or Message("it is too complex")
        return Message("is not a valid regular expression: %(reason)s", reason=reason)
    if _has_nested_repeat(parsed, inside_repeat=False):
        return Message(
            "repeats something that is itself repeated (a nested quantifier, like '(a+)+'), "
            "which can take seconds to check one answer: write it without the nested repeat"
        )
    return None


def _has_nested_repeat(items, inside_repeat: bool) -> bool:
    for op, argument in items:
        if op in _REPEATS:
            low, high, body = argument
            repeats = high is sre_constants.MAXREPEAT or high > 1
            if repeats and inside_repeat:
                return True
            if _has_nested_repeat(body, inside_repeat or repeats):
                return True
        elif op is sre_constants.SUBPATTERN:
            if _has_nested_repeat(argument[-1], inside_repeat):
                return True
        elif op is sre_constants.BRANCH:
            if any(_has_nested_repeat(branch, inside_repeat) for branch in argument[1]):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if _has_nested_repeat(argument[1], inside_repeat):
                return True
        elif op is sre_constants.GROUPREF_EXISTS:
            if any(b is not None and _has_nested_repeat(b, inside_repeat) for b in argument[1:]):
                return True
    return False


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str):
    return regex.compile(pattern, flags=regex.VERSION0)


def _run(method: str, pattern: str, value: str, timeout: float | None) -> bool:
    try:
        compiled = _compiled(pattern)
    except (regex.error, RecursionError, OverflowError, ValueError):
        return False
    try:
        return getattr(compiled, method)(value, timeout=TIMEOUT_SECONDS if timeout is None else timeout) is not None
    except TimeoutError:
        return False


def full_match(pattern: str, value: str, timeout: float | None = None) -> bool:
    """True when the whole value matches; False when it does not, the pattern is bad, or time runs out."""
    return _run("fullmatch", pattern, value, timeout)


def search(pattern: str, value: str, timeout: float | None = None) -> bool:
    """True when the pattern matches somewhere in the value (XLSForm's regex()); False on time-out."""
    return _run("search", pattern, value, timeout)

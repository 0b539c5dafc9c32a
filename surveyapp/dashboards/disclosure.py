"""Disclosure control for published figures (NHS England's rule for HES, since 2018).

0 stays 0; counts of 1 to `threshold` (7) show as '*'; every other count is
rounded to the nearest multiple of `rounding` (5). Percentages and means computed
on 1 to `threshold` people show as '*', and so does a percentage whose numerator
is suppressed (it would give the count away); other percentages are computed from
the rounded counts. Free text is hidden for a group of
`threshold` or fewer respondents.

A `Disclosure` with enabled=False passes every figure through exactly; the
dashboard uses it when an analyst turns the switch off (and that is audited).
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED = "*"


@dataclass(frozen=True)
class Disclosure:
    enabled: bool = True
    threshold: int = 7
    rounding: int = 5

    @classmethod
    def for_survey(cls, survey, enabled: bool = True) -> Disclosure:
        return cls(
            enabled=enabled,
            threshold=max(0, int(survey.disclosure_threshold)),
            rounding=max(1, int(survey.disclosure_rounding)),
        )

    def is_small(self, n: int | None) -> bool:
        """True for a group of 1..threshold people (the ones that could identify someone)."""
        return self.enabled and n is not None and 0 < n <= self.threshold

    def count(self, n: int | None) -> int | str | None:
        """A count as it may be shown: 0, '*', or rounded to the nearest `rounding` (halves round up)."""
        if n is None or not self.enabled:
            return n
        n = int(n)
        if n == 0:
            return 0
        if n <= self.threshold:
            return SUPPRESSED
        return self.rounded(n)

    def rounded(self, n: int) -> int:
        """n rounded to the nearest `rounding` (halves up) when enabled; n itself otherwise."""
        if not self.enabled or self.rounding <= 1:
            return int(n)
        return ((int(n) + self.rounding // 2) // self.rounding) * self.rounding

    def percent(self, numerator: int | None, denominator: int | None, digits: int = 1) -> float | str | None:
        """100 * numerator / denominator, or '*' if either is a small group; None when there is no denominator.

        With disclosure control on, the percentage is computed from the rounded
        counts that are shown beside it: from exact counts it would give them
        away (8 of 20 is 40%, while the count shows as 10).
        """
        if not denominator:
            return None
        if self.is_small(denominator) or self.is_small(numerator):
            return SUPPRESSED
        numerator, denominator = self.rounded(numerator or 0), self.rounded(denominator)
        return round(100.0 * numerator / denominator, digits) if denominator else None

    def statistic(self, value: float | None, n: int | None, digits: int = 1) -> float | str | None:
        """A mean, median or quartile computed on n people: '*' when n is a small group."""
        if value is None:
            return None
        if self.is_small(n):
            return SUPPRESSED
        return round(float(value), digits)

    def shows_free_text(self, n: int) -> bool:
        """Free text of a (filtered) group is shown only when the group has more than `threshold` people."""
        return not self.enabled or n > self.threshold


EXACT = Disclosure(enabled=False)


def display(value) -> str:
    """A figure as text for a table cell: '*' stays '*', numbers without a trailing '.0'."""
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)

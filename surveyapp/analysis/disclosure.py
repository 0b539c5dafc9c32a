"""Disclosure control: the one module that decides how a figure may be shown.

Every figure on the dashboards, the printable report and its PDF, the report back
sheets, the JSON API and the summary export is shown through a `Disclosure`, made
from the survey's own policy (`Survey.disclosure_policy`, set on the survey's admin
page):

- "people" (people's own data; NHS England's rule for HES, since 2018): 0 stays 0;
  counts of people from 1 to `threshold` (7) show as '*'; every other count of people
  is rounded to the nearest `rounding` (5). The default for service-user surveys and
  interviews.
- "professional" (professional opinion): totals and response rates are exact; a cell
  of a breakdown, cross-tab or filtered view with fewer than `min_cell` (5)
  respondents shows as '*'.
- "off": exact everywhere (respondents agreed to be named).

Under any policy, counts that are not counts of respondents (people invited, emails
sent) are never rounded: `contacts()`. A percentage is worked out from the counts
shown beside it and is '*' where its count is. Free text is shown only for a group
larger than the small-group limit. Where a group's total is shown, `protect()` adds
secondary suppression so that no hidden cell can be worked out by subtracting the
cells shown from the total.

`enabled=False` is the analysts' audited "exact figures" view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from flask_babel import gettext

SUPPRESSED = "*"
PEOPLE, PROFESSIONAL, OFF = "people", "professional", "off"
POLICIES = (PEOPLE, PROFESSIONAL, OFF)
POLICY_LABELS = {
    PEOPLE: "People's own data (NHS England's rule: 1 to 7 shown as *, other counts rounded to 5)",
    PROFESSIONAL: "Professional opinion (totals exact; small groups in breakdowns hidden)",
    OFF: "Off (exact figures everywhere: respondents agreed to be named)",
}


@dataclass(frozen=True)
class Disclosure:
    enabled: bool = True  # False: the exact-figures view (analysts and admins, audited)
    policy: str = PEOPLE
    threshold: int = 7  # people: counts 1..threshold hidden
    rounding: int = 5  # people: other counts rounded to this
    min_cell: int = 5  # professional: cells below this hidden

    @classmethod
    def for_survey(cls, survey, enabled: bool = True) -> Disclosure:
        policy = getattr(survey, "disclosure_policy", None) or PEOPLE
        return cls(
            enabled=enabled,
            policy=policy if policy in POLICIES else PEOPLE,
            threshold=max(0, int(survey.disclosure_threshold)),
            rounding=max(1, int(survey.disclosure_rounding)),
            min_cell=max(0, int(getattr(survey, "disclosure_min_cell", None) or 5)),
        )

    def exact(self) -> Disclosure:
        return replace(self, enabled=False)

    # ------------------------------------------------------------ what the policy means

    @property
    def active(self) -> bool:
        """True when figures are controlled (a policy other than off, and not the exact view)."""
        return self.enabled and self.policy != OFF

    @property
    def rounds(self) -> bool:
        return self.active and self.policy == PEOPLE and self.rounding > 1

    @property
    def small_limit(self) -> int:
        """The largest count that is hidden (0 when nothing is)."""
        if not self.active:
            return 0
        return self.threshold if self.policy == PEOPLE else max(0, self.min_cell - 1)

    def is_small(self, n: int | None) -> bool:
        """True for a group of 1..small_limit people (the ones that could identify someone)."""
        return n is not None and 0 < int(n) <= self.small_limit

    # ------------------------------------------------------------ counts

    def cell(self, n: int | None) -> int | str | None:
        """A count of respondents in a breakdown, cross-tab, filtered view or a question's answers."""
        if n is None or not self.active:
            return n
        n = int(n)
        if n == 0:
            return 0
        if self.is_small(n):
            return SUPPRESSED
        return self.rounded(n)

    count = cell  # the name the dashboards used before policies

    def total(self, n: int | None) -> int | str | None:
        """A headline total of respondents: exact under professional opinion, the rule under people's own data."""
        if n is None or not self.active or self.policy == PROFESSIONAL:
            return n
        return self.cell(n)

    def contacts(self, n: int | None) -> int | None:
        """People invited, emails sent, bounced: not counts of respondents, never rounded or hidden."""
        return n

    def rounded(self, n: int) -> int:
        """n rounded to the nearest `rounding` (halves up) under people's own data; n itself otherwise."""
        if not self.rounds:
            return int(n)
        return ((int(n) + self.rounding // 2) // self.rounding) * self.rounding

    # ------------------------------------------------------------ derived figures

    def percent_of(self, shown_numerator, shown_denominator, digits: int = 1) -> float | str | None:
        """100 * numerator / denominator from figures as shown: '*' when either is hidden."""
        if shown_numerator == SUPPRESSED or shown_denominator == SUPPRESSED:
            return SUPPRESSED
        if not shown_denominator:
            return None
        return round(100.0 * (shown_numerator or 0) / shown_denominator, digits)

    def percent(self, numerator: int | None, denominator: int | None, digits: int = 1) -> float | str | None:
        """A cell as a percentage of a group of respondents (both shown as cells)."""
        if not denominator:
            return None
        return self.percent_of(self.cell(numerator or 0), self.cell(denominator), digits)

    def statistic(self, value: float | None, n: int | None, digits: int = 1) -> float | str | None:
        """A mean, median or quartile computed on n people: '*' when n is a small group."""
        if value is None:
            return None
        if self.is_small(n):
            return SUPPRESSED
        return round(float(value), digits)

    def shows_free_text(self, n: int | None) -> bool:
        """Free text of a (filtered) group is shown only when the group is larger than the small-group limit."""
        return not self.active or (n or 0) > self.small_limit

    # ------------------------------------------------------------ secondary suppression

    def protect(self, cells: list, total) -> tuple[list, object]:
        """Shown cells of one group whose cells add up to `total` (as shown), made safe against subtraction.

        A lone '*' beside a shown total is given away by total minus the others, and
        so are several '*' that could only all be 1. The smallest other cells (zeros
        last) are hidden too until neither is possible; if no cell is left to hide,
        the total is hidden. `cells` are already shown values (ints, 0 or '*').
        Returns (cells, total) and leaves rounded figures alone when the rule
        rounds (their sum is no longer exact, see `recoverable`).
        """
        if not self.active:
            return cells, total
        cells = list(cells)
        # The smallest shown cells first; zeros last (hiding a zero says nothing, but may be needed).
        raw_order = sorted(
            (i for i, c in enumerate(cells) if c not in (None, SUPPRESSED)),
            key=lambda i: (cells[i] == 0, cells[i], i),
        )
        while total not in (None, SUPPRESSED) and recoverable(cells, total, self):
            if not raw_order:
                return cells, SUPPRESSED
            cells[raw_order.pop(0)] = SUPPRESSED
        return cells, total

    # ------------------------------------------------------------ words

    def rule_text(self) -> str:
        """The rule in force, in words that are true for its numbers (in the page's interface language)."""
        if not self.enabled:
            return gettext("Exact figures: not for publication. Small numbers are shown as they are.")
        if self.policy == OFF:
            return gettext(
                "Disclosure control is off for this survey: every figure is exact (its respondents agreed to be named)."
            )
        if self.policy == PROFESSIONAL:
            if self.small_limit == 0:
                return gettext("Professional opinion: every figure is exact (no minimum group size is set).")
            return gettext(
                "Professional opinion: totals and response rates are exact; in a breakdown, cross-tab or filtered "
                "view a group of fewer than %(min)s respondents is shown as *, and so is the next smallest "
                "group where the hidden one could be worked out from the total. Free-text answers of fewer than "
                "%(min)s people are not shown.",
                min=self.min_cell,
            )
        # People's own data: one whole sentence for each combination, so that translators see it whole.
        hides, rounds = self.threshold >= 1, self.rounding > 1
        values = {"threshold": self.threshold, "rounding": self.rounding}
        if not hides and not rounds:
            return gettext("People's own data: no count is hidden or rounded (the survey's limits are 0 and 1).")
        if not hides:
            return gettext(
                "People's own data: other counts of people are rounded to the nearest %(rounding)s; percentages "
                "are worked out from the counts shown. Numbers invited and emails sent are exact.",
                **values,
            )
        if self.threshold == 1 and not rounds:
            return gettext(
                "People's own data: a count of 1 of people is shown as *; percentages are worked out from the "
                "counts shown and hidden where the count is. Free-text answers are shown only for more than "
                "%(threshold)s people. Numbers invited and emails sent are exact.",
                **values,
            )
        if self.threshold == 1:
            return gettext(
                "People's own data: a count of 1 of people is shown as *, and other counts of people are rounded "
                "to the nearest %(rounding)s; percentages are worked out from the counts shown and hidden where the "
                "count is. Free-text answers are shown only for more than %(threshold)s people. Numbers invited "
                "and emails sent are exact.",
                **values,
            )
        if not rounds:
            return gettext(
                "People's own data: counts of 1 to %(threshold)s of people are shown as *; percentages are worked "
                "out from the counts shown and hidden where the count is. Free-text answers are shown only for "
                "more than %(threshold)s people. Numbers invited and emails sent are exact.",
                **values,
            )
        return gettext(
            "People's own data: counts of 1 to %(threshold)s of people are shown as *, and other counts of people "
            "are rounded to the nearest %(rounding)s; percentages are worked out from the counts shown and hidden "
            "where the count is. Free-text answers are shown only for more than %(threshold)s people. Numbers "
            "invited and emails sent are exact.",
            **values,
        )


EXACT = Disclosure(enabled=False)


def recoverable(cells: Iterable, total, d: Disclosure) -> bool:
    """True if some '*' among `cells` is pinned to one value by `total` minus the other cells shown.

    The reader's view: a '*' is some whole number from 1 up; a shown number n is
    exact, or, where the rule rounds, any count that rounds to n (an interval).
    """
    cells = list(cells)
    hidden = [i for i, c in enumerate(cells) if c == SUPPRESSED]
    if not hidden or total in (None, SUPPRESSED):
        return False
    lo_total, hi_total = _interval(total, d)
    lo_known = sum(_interval(c, d)[0] for c in cells if c != SUPPRESSED)
    hi_known = sum(_interval(c, d)[1] for c in cells if c != SUPPRESSED)
    # The hidden cells together: between these bounds, and each at least 1.
    lo_sum, hi_sum = max(len(hidden), lo_total - hi_known), hi_total - lo_known
    if hi_sum < lo_sum:
        return False  # inconsistent (cannot happen with true figures)
    # One hidden cell: its range is [lo_sum, hi_sum]. Several: each in [1, hi_sum - (k - 1)].
    k = len(hidden)
    lo_one = lo_sum if k == 1 else 1
    hi_one = hi_sum - (k - 1)
    return hi_one <= lo_one


def _interval(shown, d: Disclosure) -> tuple[int, int]:
    if shown in (None, 0):
        return 0, 0
    shown = int(shown)
    if d.rounds:
        half = d.rounding // 2
        return max(d.threshold + 1, shown - half), shown + (d.rounding - 1 - half)
    return shown, shown


def display(value) -> str:
    """A figure as text for a table cell: '*' stays '*', numbers without a trailing '.0'."""
    if value is None:
        return "–"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)

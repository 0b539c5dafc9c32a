"""Wilson intervals, quartiles of frequency tables, and disclosure control (with a property test)."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.analysis.disclosure import SUPPRESSED, Disclosure
from surveyapp.analysis.stats import date_bins, number_bins, quantile, summary, wilson_interval


def test_wilson_interval_of_20_in_206_is_about_6_4_to_14_5_percent():
    low, high = wilson_interval(20, 206)
    assert round(100 * low, 1) == 6.4
    assert round(100 * high, 1) == 14.5


def test_wilson_interval_stays_inside_0_and_1_at_the_extremes():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.65 < low < 0.75
    assert wilson_interval(0, 0) is None


def test_quartiles_of_a_frequency_table_match_linear_interpolation():
    freq = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)]  # numpy: 1.75, 2.5, 3.25
    assert quantile(freq, 0.25) == 1.75
    assert quantile(freq, 0.5) == 2.5
    assert quantile(freq, 0.75) == 3.25
    s = summary([(0.0, 3), (10.0, 1)])
    assert s["n"] == 4 and s["median"] == 0.0 and s["mean"] == 2.5 and s["max"] == 10.0


def test_number_bins_keep_every_count():
    freq = [(float(v), v + 1) for v in range(0, 300, 7)]
    assert sum(c for _, _, c in number_bins(freq)) == sum(c for _, c in freq)
    assert [b[0] for b in number_bins([(0.0, 1), (10.0, 2)])] == list(range(0, 11))


def test_date_bins_switch_to_months_for_long_spans():
    unit, bins = date_bins([("2026-01-05", 2), ("2026-01-20", 1), ("2026-12-01", 4)])
    assert unit == "month" and bins == [("2026-01-01", 3), ("2026-12-01", 4)]


@given(st.integers(min_value=0, max_value=10**7))
def test_no_displayed_count_lies_in_1_to_7_and_others_are_0_or_multiples_of_5(n):
    shown = Disclosure().count(n)
    if 1 <= n <= 7:
        assert shown == SUPPRESSED
    else:
        assert isinstance(shown, int) and shown % 5 == 0
        assert shown == 0 or shown >= 10 - 2  # 8 and 9 round to 10
        assert abs(shown - n) <= 2


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_percentages_of_small_groups_or_small_counts_are_suppressed(numerator, denominator):
    numerator = min(numerator, denominator)
    shown = Disclosure().percent(numerator, denominator)
    if denominator == 0:
        assert shown is None
    elif 1 <= denominator <= 7 or 1 <= numerator <= 7:
        assert shown == SUPPRESSED
    else:
        assert 0 <= shown <= 100


@pytest.mark.parametrize("n, shown", [(0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (206, 205), (208, 210)])
def test_nhs_england_rule_examples(n, shown):
    assert Disclosure().count(n) == shown


def test_threshold_and_rounding_come_from_the_survey():
    d = Disclosure.for_survey(SimpleNamespace(disclosure_threshold=10, disclosure_rounding=10))
    assert d.count(10) == SUPPRESSED and d.count(11) == 10 and d.count(15) == 20
    assert d.statistic(4.2, 9) == SUPPRESSED and d.statistic(4.25, 11) == 4.2
    assert not d.shows_free_text(10) and d.shows_free_text(11)


def test_percentages_under_disclosure_come_from_the_rounded_counts_shown():
    # 8 of 20 exactly is 40%, which would give away the count shown as 10.
    assert Disclosure().count(8) == 10 and Disclosure().percent(8, 20) == 50.0
    assert Disclosure(enabled=False).percent(8, 20) == 40.0


def test_switched_off_disclosure_shows_exact_figures():
    d = Disclosure(enabled=False)
    assert d.count(3) == 3 and d.percent(1, 3) == 33.3 and d.shows_free_text(1)

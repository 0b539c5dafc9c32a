"""Small statistics over aggregates: Wilson intervals, quartiles of a frequency table, histogram bins.

The inputs are grouped rows from queries.py (a count per distinct value), never
one row per response.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (as fractions), or None without trials.

    Better than the normal approximation for small samples and rates near 0 or 1,
    which is where response rates live (20 of 206 gives about 6.4% to 14.5%).
    """
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def _value_at(freq: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, count in freq:
        seen += count
        if index < seen:
            return value
    return freq[-1][0]


def quantile(freq: list[tuple[float, int]], q: float) -> float | None:
    """The q-quantile (linear interpolation, like numpy's default) of a sorted (value, count) table."""
    n = sum(c for _, c in freq)
    if n == 0:
        return None
    position = q * (n - 1)
    lower, upper = math.floor(position), math.ceil(position)
    a, b = _value_at(freq, lower), _value_at(freq, upper)
    return a + (b - a) * (position - lower)


def summary(freq: list[tuple[float, int]]) -> dict:
    """n, mean, min, quartiles and max of a frequency table."""
    n = sum(c for _, c in freq)
    if n == 0:
        return {"n": 0, "mean": None, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    return {
        "n": n,
        "mean": sum(v * c for v, c in freq) / n,
        "min": freq[0][0],
        "q1": quantile(freq, 0.25),
        "median": quantile(freq, 0.5),
        "q3": quantile(freq, 0.75),
        "max": freq[-1][0],
    }


def number_bins(freq: list[tuple[float, int]], max_bins: int = 12) -> list[tuple[float, float, int]]:
    """(start, end, count) bins: one per integer when the range is small, else equal-width bins.

    For whole numbers `end` is the last value in the bin (6 to 8); otherwise bins are [start, end).
    """
    if not freq:
        return []
    lo, hi = freq[0][0], freq[-1][0]
    integers = all(float(v).is_integer() for v, _ in freq)
    if integers and hi - lo + 1 <= 2 * max_bins:
        counts: dict[float, int] = {}
        for v, c in freq:
            counts[v] = counts.get(v, 0) + c
        return [(v, v, counts.get(float(v), 0)) for v in range(int(lo), int(hi) + 1)]
    width = (hi - lo) / max_bins or 1.0
    if integers:
        width = math.ceil(width)
    bins = [[lo + i * width, lo + (i + 1) * width, 0] for i in range(max_bins)]
    for v, c in freq:
        bins[min(max_bins - 1, int((v - lo) // width))][2] += c
    if integers:
        return [(a, b - 1, c) for a, b, c in bins]
    return [(a, b, c) for a, b, c in bins]


def date_bins(freq: list[tuple[str, int]]) -> tuple[str, list[tuple[str, int]]]:
    """('day'|'week'|'month', [(period start, count)]) chosen by the span of the dates."""
    if not freq:
        return "day", []
    days = [(date.fromisoformat(d[:10]), c) for d, c in freq]
    span = (days[-1][0] - days[0][0]).days
    unit = "day" if span <= 31 else "week" if span <= 200 else "month"
    counts: dict[date, int] = {}
    for day, c in days:
        key = day if unit == "day" else day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)
        counts[key] = counts.get(key, 0) + c
    return unit, [(k.isoformat(), counts[k]) for k in sorted(counts)]

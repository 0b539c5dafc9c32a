"""The results filter form: one Segment list and GOV.UK day/month/year dates, turned into the short query string."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from surveyapp.dashboards.filter_form import canonical_args, date_parts


def test_links_without_the_forms_fields_are_left_alone():
    assert canonical_args(MultiDict({"attr": "pct", "value": "north"})) == (None, [])


def test_one_segment_and_typed_dates_become_attr_value_from_and_to():
    args, errors = canonical_args(
        MultiDict(
            [
                ("segment", "pct=north"),
                ("mode", ""),
                ("from-day", "7"),
                ("from-month", "3"),
                ("from-year", "2026"),
                ("to-day", ""),
                ("to-month", ""),
                ("to-year", ""),
                ("exact", "1"),
            ]
        )
    )
    assert errors == []
    assert list(args.items(multi=True)) == [("exact", "1"), ("attr", "pct"), ("value", "north"), ("from", "2026-03-07")]


def test_everyone_clears_the_segment():
    args, _ = canonical_args(MultiDict({"segment": "", "attr": "pct", "value": "north"}))
    assert "attr" not in args and "value" not in args


def test_dates_that_are_not_real_or_not_complete_are_errors_that_point_at_a_box():
    _, errors = canonical_args(MultiDict({"from-day": "31", "from-month": "2", "from-year": "2026"}))
    assert errors == [{"text": "The start date must be a real date, for example 27 3 2026", "href": "#from-day"}]
    _, errors = canonical_args(MultiDict({"to-day": "1", "to-month": "", "to-year": "26"}))
    assert errors == [{"text": "The end date must include a month", "href": "#to-month"}]
    _, errors = canonical_args(MultiDict({"to-day": "1", "to-month": "x", "to-year": "2026"}))
    assert errors[0]["href"] == "#to-day"


def test_the_boxes_show_what_was_typed_or_the_filters_date():
    from datetime import date

    assert date_parts(MultiDict({"from-day": "31", "from-month": "2"}), "from", None)["day"] == "31"
    assert date_parts(MultiDict(), "from", date(2026, 3, 7)) == {"day": "7", "month": "3", "year": "2026"}

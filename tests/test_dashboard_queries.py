"""SQL aggregates against known data built through the journey functions and the demo loader."""

from datetime import date

import pytest
from dashboard_data import add_contact, at, respond

from surveyapp.analysis import figures, queries
from surveyapp.analysis.disclosure import EXACT, Disclosure
from surveyapp.demo import load_demo
from surveyapp.extensions import db
from surveyapp.models import Survey, utcnow


@pytest.fixture
def mix(import_survey):
    """12 completed responses (north 8, south 4), 1 in progress, 1 voided, 1 public, 2 invited non-responders."""
    survey = import_survey("dashboard_mix")
    answers = [
        (
            "north",
            {
                "colour": "red",
                "pets": ["cat", "dog"],
                "agree": "agree",
                "score": 8,
                "visits": 2,
                "when": date(2026, 3, 1),
                "comment": "Good",
                "ok": "yes",
            },
        ),
        (
            "north",
            {
                "colour": "red",
                "pets": ["cat"],
                "agree": "strongly_agree",
                "score": 9,
                "visits": 4,
                "when": date(2026, 3, 2),
                "comment": "Fine",
                "ok": "yes",
            },
        ),
        ("north", {"colour": "blue", "pets": ["fish"], "agree": "disagree", "score": 3, "visits": 6, "ok": "no"}),
        ("north", {"colour": "red", "score": 10, "visits": 8, "ok": "yes"}),
        ("north", {"colour": "red", "score": 7, "ok": "yes"}),
        ("north", {"colour": "blue", "ok": "no"}),
        ("north", {"colour": "red", "ok": "yes"}),
        ("north", {"colour": "red", "ok": "yes"}),
        ("south", {"colour": "blue", "pets": ["dog"], "ok": "no"}),
        ("south", {"colour": "blue", "ok": "no"}),
        ("south", {"colour": "red", "ok": "yes"}),
        ("south", {"colour": "blue", "ok": "yes"}),
    ]
    for i, (area, values) in enumerate(answers):
        respond(
            survey,
            values,
            add_contact(f"p{i}@example.org", area=area),
            submitted_at=at("2026-03-10" if i < 6 else "2026-03-20"),
        )
    respond(survey, {"colour": "red"}, add_contact("inprogress@example.org", area="south"), complete=False)
    voided = respond(survey, {"colour": "red", "ok": "yes"}, add_contact("voided@example.org", area="south"))
    voided.voided_at = utcnow()
    respond(survey, {"colour": "red", "ok": "yes"}, mode="public", submitted_at=at("2026-03-11"))
    from surveyapp.services import invitations as invitation_service

    for i in range(2):
        invitation_service.invite(db.session, survey, contacts=[add_contact(f"silent{i}@example.org", area="east")])[0]
    db.session.commit()
    return survey


def test_funnel_counts_completed_invitations_without_voided_or_in_progress(mix):
    f = queries.funnel(db.session, mix.id)
    assert f["invited"] == 16  # 12 completed + 1 in progress + 1 voided + 2 silent
    assert f["started"] == 14
    assert f["completed"] == 12
    assert f["completed_all"] == 13  # plus the public-link response


def test_funnel_by_attribute_groups_by_contact_attribute(mix):
    segments = queries.funnel_by_attribute(db.session, mix.id, "area")
    assert queries.funnel(db.session, mix.id, segments) == queries.funnel(db.session, mix.id)
    rows = {r["segment"]: r for r in segments}
    assert {k: (v["invited"], v["completed"]) for k, v in rows.items()} == {
        "north": (8, 8),
        "south": (6, 4),
        "east": (2, 0),
    }


def test_representativeness_flags_segments_whose_share_of_respondents_falls_short(mix):
    rows = {r["segment"]: r for r in figures.breakdown_figures(db.session, mix, EXACT, "area")}
    assert rows["north"]["share_of_respondents"] == 66.7 and rows["north"]["share_of_invited"] == 50.0
    assert not rows["north"]["under_represented"]
    # South: 33.3% of respondents against 37.5% of those invited, a ratio of 0.89: not flagged (rule: < 0.8).
    assert rows["south"]["representation_ratio"] == 0.89 and not rows["south"]["under_represented"]
    assert rows["east"]["share_of_respondents"] == 0.0 and rows["east"]["under_represented"]


def test_choice_counts_exclude_voided_and_in_progress_responses(mix):
    dist = queries.distributions(db.session, mix.id)
    assert dist.respondents == 13
    assert dist.choices["colour"] == {"red": 8, "blue": 5}
    assert dist.choices["pets"] == {"cat": 2, "dog": 2, "fish": 1}
    assert dist.answered["pets"] == 4  # respondents, not ticks
    assert dist.choices["ok"] == {"yes": 9, "no": 4}
    assert dist.numbers["score"] == [(3.0, 1), (7.0, 1), (8.0, 1), (9.0, 1), (10.0, 1)]
    assert dist.dates["when"] == [("2026-03-01", 1), ("2026-03-02", 1)]
    assert dist.answered["comment"] == 2


def test_filters_by_attribute_mode_and_dates(mix):
    south = queries.Filters(attribute="area", values=("south",))
    assert queries.distributions(db.session, mix.id, south).choices["colour"] == {"blue": 3, "red": 1}
    public = queries.Filters(mode="public")
    assert queries.respondent_count(db.session, mix.id, public) == 1
    early = queries.Filters(date_to=date(2026, 3, 11))
    assert queries.respondent_count(db.session, mix.id, early) == 7
    late = queries.Filters(date_from=date(2026, 3, 12))
    assert queries.respondent_count(db.session, mix.id, late) == 6


def test_cross_tab_counts_choices_per_segment(mix):
    table, totals = queries.cross_tab(db.session, mix.id, "colour", "area")
    assert table == {"north": {"red": 6, "blue": 2}, "south": {"red": 1, "blue": 3}, queries.NO_VALUE: {"red": 1}}
    assert totals == {"north": 8, "south": 4, queries.NO_VALUE: 1}
    by_mode, _ = queries.cross_tab(db.session, mix.id, "ok", "collection_mode")
    assert by_mode == {"link": {"yes": 8, "no": 4}, "public": {"yes": 1}}


def test_free_text_search_and_count(mix):
    total, rows = queries.free_text(db.session, mix.id, "comment")
    assert total == 2 and {r["text"] for r in rows} == {"Good", "Fine"}
    total, rows = queries.free_text(db.session, mix.id, "comment", search="goo")
    assert total == 1 and rows[0]["text"] == "Good"
    assert queries.free_text(db.session, mix.id, "comment", search="%")[0] == 0


def test_question_results_apply_disclosure(mix):
    shown, exact, results = figures.question_results(db.session, mix, Disclosure.for_survey(mix))
    assert exact == 13 and shown == 15
    colour = next(r for r in results if r.name == "colour")
    assert [(row["value"], row["count"]) for row in colour.rows] == [("red", 10), ("blue", "*")]
    score = next(r for r in results if r.name == "score")
    assert score.summary["median"] == "*"  # 5 answers: a small group
    _, _, exact_results = figures.question_results(db.session, mix, EXACT)
    score = next(r for r in exact_results if r.name == "score")
    assert score.summary["median"] == 8.0 and score.summary["n"] == 5


def test_questions_are_matched_by_name_across_versions(mix, import_survey):
    text = (__import__("pathlib").Path(__file__).parent / "questionnaires" / "dashboard_mix.yaml").read_text()
    import_survey("dashboard_mix", text=text.replace("label: Red", "label: Bright red"))  # version 2
    survey = db.session.get(Survey, mix.id)
    assert [v.number for v in survey.versions] == [1, 2]
    respond(survey, {"colour": "red", "ok": "yes"}, add_contact("v2@example.org", area="north"))
    db.session.commit()
    catalogue = {q.name: q for q in queries.question_catalogue(db.session, survey.id)}
    assert catalogue["colour"].choices[0] == ("red", "Bright red") and catalogue["colour"].versions == [2, 1]
    assert queries.distributions(db.session, survey.id).choices["colour"]["red"] == 9
    v1 = queries.Filters(version=1)
    assert queries.distributions(db.session, survey.id, v1).choices["colour"]["red"] == 8


def test_demo_survey_funnel_and_response_rate(app):
    load_demo(db.session)
    db.session.commit()
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == "gp-iapt"))
    raw = queries.funnel(db.session, survey.id)
    assert (raw["invited"], raw["emailed"], raw["started"], raw["completed"]) == (206, 206, 25, 20)
    shown = figures.funnel_figures(db.session, survey, EXACT)
    assert shown["response_rate"] == 9.7 and shown["response_rate_ci"] == [6.4, 14.5]
    assert sum(n for _, n in queries.completions_by_day(db.session, survey.id)) == 20
    sends = queries.sends_by_day(db.session, survey.id)
    assert {kind for _, kind, _ in sends} == {"emailed", "reminded"}
    assert sum(n for _, kind, n in sends if kind == "emailed") == 206
    rows = {r["segment"]: r for r in queries.funnel_by_attribute(db.session, survey.id, "pct")}
    assert sum(r["invited"] for r in rows.values()) == 206 and set(rows) == {"north", "south", "east"}


def test_interview_breakdown_by_volunteer(app):
    load_demo(db.session)
    db.session.commit()
    survey = db.session.scalar(db.select(Survey).where(Survey.slug == "phb-interview"))
    rows = {r["segment"]: r for r in queries.responses_by_volunteer(db.session, survey.id)}
    assert sum(r["completed"] for r in rows.values()) == 11
    assert sum(r["in_progress"] for r in rows.values()) == 1
    assert sum(r["declined"] for r in rows.values()) == 2
    assert set(rows) == {"volunteer@example.org", "volunteer2@example.org"}


@pytest.mark.parametrize(
    "filters",
    [
        queries.Filters(),
        queries.Filters(attribute="area", values=("south",)),
        queries.Filters(mode="public"),
        queries.Filters(date_from=date(2026, 3, 15)),
        queries.Filters(attribute="area", values=("north", "south"), mode="link"),
    ],
)
def test_subtracting_left_out_groups_gives_the_same_figures_as_grouping_the_kept_ones(mix, filters):
    direct = queries.distributions(db.session, mix.id, filters, strategy="direct")
    subtract = queries.distributions(db.session, mix.id, filters, strategy="subtract")
    assert direct == subtract
    assert direct.respondents == queries.respondent_count(db.session, mix.id, filters)


def test_days_are_the_organisations_days_not_utc(mix, app):
    """Counted by day in Europe/London (BST in summer), in SQL on both databases; date filters start at local midnight."""
    from datetime import UTC, datetime

    app.config["SURVEYAPP_TIMEZONE"] = "Europe/London"
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST); 23:30 UTC on 1 December is still 1 December (GMT).
    summer_late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    winter_late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    # 23:59 UTC on 1 July 2026 is just before 01:00 on 2 July: the same London day as summer_late.
    summer_later = datetime(2026, 7, 1, 23, 59, tzinfo=UTC)
    for moment in (summer_late, summer_later, winter_late):
        respond(
            mix, {"colour": "red"}, add_contact(f"{moment:%m%d%H%M}@example.org", area="north"), submitted_at=moment
        )
    db.session.commit()
    days = dict(queries.completions_by_day(db.session, mix.id))
    assert days.get("2026-07-02") == 2 and "2026-07-01" not in days
    assert days.get("2026-12-01") == 1
    # A filter "from 2 July" starts at 23:00 UTC on 1 July: both summer responses are in it.
    july_2 = queries.Filters(date_from=date(2026, 7, 2), date_to=date(2026, 7, 2))
    assert queries.distributions(db.session, mix.id, july_2).choices["colour"]["red"] == 2
    # In UTC the same responses fall on 1 July.
    app.config["SURVEYAPP_TIMEZONE"] = "UTC"
    assert dict(queries.completions_by_day(db.session, mix.id)).get("2026-07-01") == 2

"""What the server renders for live show/hide: hidden-but-revealable questions, their markers, the answers block."""

from __future__ import annotations

import re

from journey_helpers import Journey, shown_fields

from surveyapp.extensions import db
from surveyapp.journey.conditions import answers_for_browser, page_blocks
from surveyapp.journey.flow import questionnaire_of
from surveyapp.models import Survey


def _blocks(html):
    return re.findall(
        r'<fieldset class="govuk-fieldset app-question" role="none" data-question="([^"]+)"[^>]*?'
        r'(?: data-relevant="([^"]*)")?( hidden disabled)?>',
        html,
    )


def test_questions_that_this_page_can_reveal_are_rendered_hidden_and_disabled(client, import_survey, invite):
    _, _, path = invite(import_survey("conditions_within_page"))
    journey = Journey(client, path)
    journey.start()
    html = journey.page("main").get_data(as_text=True)
    assert _blocks(html) == [
        ("routes", "", ""),
        ("routes_other", "selected(${routes}, &#39;other&#39;)", " hidden disabled"),
        ("other_detail", "${routes_other} != &#39;&#39;", " hidden disabled"),
    ]
    # Without JavaScript they are neither seen nor submitted, so the server logic sees only what is shown.
    assert shown_fields(html) == ["routes"]
    assert '<input type="hidden" name="_shown" value="routes_other" disabled>' in html


def test_hidden_questions_that_depend_only_on_other_pages_are_left_out(client, import_survey, invite):
    _, _, path = invite(import_survey("conditions_across_pages"))
    journey = Journey(client, path)
    journey.start()
    journey.answer("first", {"has_car": "yes"})
    journey.answer("car", {"car_count": "1", "car_electric": "no"})
    html = journey.page("end").get_data(as_text=True)
    assert "Do you have a home charger?" not in html
    car = journey.page("car").get_data(as_text=True)
    assert [b[0] for b in _blocks(car)] == ["car_count", "car_electric"]


def test_the_answers_block_holds_other_pages_answers_that_conditions_use(client, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    journey.answer("first", {"has_car": "yes"})
    journey.answer("car", {"car_count": "1", "car_electric": "yes"})
    html = client.get(f"{path}/page/charging").get_data(as_text=True)
    assert html.split('id="app-answers">')[1].split("</script>")[0] == '{"car_electric": "yes"}'
    assert '<script type="module" src="/static/js/conditions.js"></script>' in html


def test_an_answer_cannot_end_the_answers_block(app, import_survey):
    survey = import_survey("conditions_across_pages")
    page = questionnaire_of(db.session.get(Survey, survey.id).current_version).page("charging")
    hostile = "</script><script>alert(1)</script><!--"
    data = answers_for_browser(page, {"car_electric": hostile, "comments": "not referred to"})
    assert data == {"car_electric": hostile}
    with app.test_request_context():
        from flask import render_template_string

        rendered = render_template_string("{{ a | tojson }}", a=data)
    assert "<" not in rendered and ">" not in rendered


def test_dates_and_decimals_reach_the_browser_in_a_form_it_reads():
    import datetime
    import decimal

    from surveyapp.questionnaires.definition import Questionnaire

    q = Questionnaire.from_dict(
        {
            "slug": "x",
            "title": "X",
            "pages": [
                {
                    "name": "a",
                    "title": "A",
                    "questions": [
                        {"name": "d", "type": "date", "label": "D"},
                        {"name": "n", "type": "decimal", "label": "N"},
                    ],
                },
                {
                    "name": "b",
                    "title": "B",
                    "questions": [
                        {
                            "name": "later",
                            "type": "short_text",
                            "label": "L",
                            "relevant": "${d} > '2020-01-01' and ${n} > 1",
                        }
                    ],
                },
            ],
        }
    )
    answers = {"d": datetime.date(2024, 2, 29), "n": decimal.Decimal("2.5")}
    assert answers_for_browser(q.page("b"), answers) == {"d": {"date": "2024-02-29"}, "n": 2.5}
    assert [b.hidden for b in page_blocks(q.page("b"), {})] == []  # hidden by other pages only: left out
    assert [b.hidden for b in page_blocks(q.page("b"), answers)] == [False]

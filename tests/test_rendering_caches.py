"""The respondent pages' render shortcuts give exactly the HTML of the GOV.UK macros they stand in for."""

from __future__ import annotations

import re
from pathlib import Path

from flask import g, render_template_string
from flask_babel import refresh

from surveyapp.questionnaires.loader import load_definition_file
from surveyapp.templating import blank_question_html

QUESTIONNAIRES = Path(__file__).parent / "questionnaires"


def _macro_html(app, question, hidden=False, value=None, error=None):
    macros = app.jinja_env.get_template("respond/_questions.html").module
    answers = {question.name: value} if value is not None else {}
    errors = {question.name: error} if error else {}
    return str(macros.render_question(question, answers, {}, errors, hidden=hidden))


def test_a_blank_question_is_the_macros_html_for_every_type(app):
    questionnaire = load_definition_file(QUESTIONNAIRES / "fhir_all_types.yaml")
    types = set()
    with app.test_request_context("/"):
        for question in questionnaire.all_questions():
            types.add(question.type)
            for hidden in (False, True):
                assert str(blank_question_html(question, hidden)) == _macro_html(app, question, hidden)
    assert {"single_choice", "multiple_choice", "short_text", "long_text", "integer", "date"} <= types


def test_the_cache_belongs_to_the_question_object_so_an_edited_draft_is_never_stale(app):
    first = load_definition_file(QUESTIONNAIRES / "short_text.yaml")
    second = load_definition_file(QUESTIONNAIRES / "short_text.yaml")
    question, same_name = first.all_questions()[0], second.all_questions()[0]
    same_name.label = "Reworded <b>label</b>"
    with app.test_request_context("/"):
        before = str(blank_question_html(question, False))
        edited = str(blank_question_html(same_name, False))
    assert "Reworded &lt;b&gt;label&lt;/b&gt;" in edited and "Reworded" not in before


def test_a_welsh_render_does_not_serve_the_english_cached_blank_question(app):
    """The blank HTML holds interface words ("Day", "For example, 27 3 2024"): it is cached per locale."""
    question = load_definition_file(QUESTIONNAIRES / "date.yaml").all_questions()[0]
    with app.test_request_context("/"):
        english = str(blank_question_html(question, False))
    with app.test_request_context("/"):
        g.interface_language = "cy"  # what use_interface_language sets on a Welsh respondent's page
        refresh()
        welsh = str(blank_question_html(question, False))
        assert welsh == _macro_html(app, question)
    with app.test_request_context("/"):
        g.pop("interface_language")  # as the next request starts (surveyapp/i18n.py)
        refresh()
        assert str(blank_question_html(question, False)) == english
    assert ">Day<" in english.replace("\n", "").replace(" ", "") and "Diwrnod" not in english
    assert "Diwrnod" in welsh and "Er enghraifft, 27 3 2024" in welsh and "For example" not in welsh
    assert set(question.__dict__["_blank_html"]) == {(False, "en"), (False, "cy")}


def test_a_page_shows_the_cached_blank_question_and_the_macro_for_an_answer_or_an_error(app):
    questionnaire = load_definition_file(QUESTIONNAIRES / "short_text.yaml")
    question = questionnaire.all_questions()[0]
    page = questionnaire.pages[0]
    template = """{% extends "respond/page.html" %}"""
    context = dict(
        title="t",
        questionnaire=questionnaire,
        page=page,
        nav=None,
        wording=_Wording(),
        action="/x",
        blocks=[_Block(question)],
        condition_answers={},
        raw={},
        field_errors={},
        errors=[],
        back_url=None,
    )
    with app.test_request_context("/"):
        blank = render_template_string(template, answers={}, **context)
        answered = render_template_string(template, answers={question.name: "typed <i>answer</i>"}, **context)
        context.update(field_errors={question.name: "Enter it"}, errors=[{"text": "Enter it", "href": "#x"}])
        failed = render_template_string(template, answers={}, **context)
    assert str(blank_question_html(question, False)) in blank
    assert 'value="typed &lt;i&gt;answer&lt;/i&gt;"' in answered
    assert re.search(
        r'class="govuk-error-message"[^>]*>\s*<span class="govuk-visually-hidden">Error:</span> Enter it', failed
    )


class _Wording:
    drafts = False
    save_note = "Saved as you go."


class _Block:
    def __init__(self, question, hidden=False):
        self.question, self.hidden = question, hidden

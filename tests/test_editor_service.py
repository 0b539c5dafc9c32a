"""services.editing and services.version_changes as plain functions, and the round trip of every question type:
edited in the editor, downloaded as YAML, imported again, the same questionnaire."""

from __future__ import annotations

import copy

import pytest
from auth_helpers import make_user, sign_in
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.questionnaires import expressions, types
from surveyapp.questionnaires.definition import Questionnaire
from surveyapp.questionnaires.loader import load_definition_data, load_definition_text
from surveyapp.services import drafts, editing, starting_points
from surveyapp.services.condition_builder import BuilderError, Rule, build_expression, read_expression
from surveyapp.services.surveys import import_definition
from surveyapp.services.version_changes import version_changes

# -- names and choices -------------------------------------------------------------------------


def test_names_come_from_labels_and_stay_unique():
    assert editing.make_name("How was your visit?") == "how_was_your_visit"
    assert editing.make_name("How was your visit?", {"how_was_your_visit"}) == "how_was_your_visit_2"
    assert editing.make_name("2 questions") == "q_2_questions"
    assert editing.make_name("¿?") == "q"
    assert len(editing.make_name("word " * 50)) <= editing.NAME_LENGTH


def test_choice_lines_take_codes_or_make_them_from_labels():
    text = "very_good = Very good\nGood\n\n  Don't know  \nx y = a label with = in it\nGood"
    assert editing.parse_choice_lines(text) == [
        {"value": "very_good", "label": "Very good"},
        {"value": "good", "label": "Good"},
        {"value": "don_t_know", "label": "Don't know"},
        {"value": "x_y_a_label_with_in_it", "label": "x y = a label with = in it"},
        {"value": "good_2", "label": "Good"},
    ]
    choices = editing.parse_choice_lines(text)
    assert editing.parse_choice_lines(editing.choice_lines(choices)) == choices


def test_repeated_codes_are_kept_for_the_validator_to_report():
    definition = starting_points.blank_definition("s", "S")
    editing.add_question(definition, "page_1", "single_choice", "Pick")
    editing.update_question(definition, "pick", {"choices": editing.parse_choice_lines("a = A\na = B")})
    problems = editing.draft_problems(definition)
    assert any("used twice" in m for m in problems.for_question("pick")["choices"])


# -- editing -------------------------------------------------------------------------------------


def test_update_question_drops_keys_the_type_does_not_take_and_empty_values():
    definition = starting_points.blank_definition("s", "S")
    editing.add_question(definition, "page_1", "short_text", "Name")
    editing.update_question(definition, "name", {"hint": "  ", "min": "3", "max_length": "40", "required": True})
    assert definition["pages"][0]["questions"][0] == {
        "name": "name",
        "type": "short_text",
        "label": "Name",
        "required": True,
        "max_length": 40,
    }


def test_consent_questions_do_not_also_say_required():
    definition = starting_points.blank_definition("s", "S")
    editing.add_question(definition, "page_1", "yes_no", "Agree?")
    editing.update_question(definition, "agree", {"consent": True, "required": True})
    question = definition["pages"][0]["questions"][0]
    assert question.get("consent") is True and "required" not in question
    assert not editing.draft_problems(definition)


def test_new_choice_questions_start_with_two_options_and_validate():
    definition = starting_points.blank_definition("s", "S")
    for qtype in types.names():
        editing.add_question(definition, "page_1", qtype, f"A {qtype} question")
    assert not editing.draft_problems(definition), editing.draft_problems(definition).all


def test_moves_past_either_end_are_refused():
    definition = starting_points.friends_and_family_definition("s", "S")
    with pytest.raises(editing.EditError):
        editing.move_question(definition, "fft", "up")
    with pytest.raises(editing.EditError):
        editing.move_question(definition, "fft_why", "down")
    with pytest.raises(editing.EditError):
        editing.move_page(definition, "experience", "down")
    with pytest.raises(editing.EditError):
        editing.find_question(definition, "nope")


def test_problems_are_sorted_by_page_question_and_key():
    definition = starting_points.blank_definition("s", "S")
    editing.add_page(definition, "Empty page")
    editing.add_question(definition, "page_1", "rating", "Score")
    editing.update_question(definition, "score", {"min": "5", "max": "1", "relevant": "${later} = 1"})
    editing.edit_page(definition, "empty_page", "Empty page", "${score} >")
    problems = editing.draft_problems(definition)
    assert "min" in problems.for_question("score") and "relevant" in problems.for_question("score")
    assert "relevant" in problems.for_page("empty_page") and "" in problems.for_page("empty_page")


def test_expression_problem_uses_the_engine_message():
    assert editing.expression_problem("${a} = 'x'") is None
    assert "ends too early" in editing.expression_problem("${a} =")


# -- the change list -----------------------------------------------------------------------------


def test_version_changes_lists_pages_questions_wording_choices_and_conditions():
    old = starting_points.friends_and_family_definition("s", "S")
    new = copy.deepcopy(old)
    editing.update_question(
        new,
        "fft",
        {"label": "How was it?", "choices": editing.parse_choice_lines("very_good = Very good!\ngood = Good")},
    )
    editing.update_question(new, "fft_why", {"relevant": "${fft} = 'good'"})
    editing.add_page(new, "About you")
    editing.add_question(new, "about_you", "integer", "Age")
    editing.delete_question(new, "fft_why")
    texts = [c.text for c in version_changes(old, new)]
    assert "Page ‘About you’ added" in texts
    assert "Question ‘Overall, how was your experience of our service?’ reworded: ‘How was it?’" in texts
    assert "‘How was it?’: answer ‘Very good’ reworded: ‘Very good!’" in texts
    assert "‘How was it?’: answer ‘Poor’ removed" in texts
    assert "Question ‘Age’ added on page ‘About you’" in texts
    assert "Question ‘Please can you tell us why you gave your answer?’ removed" in texts


def test_version_changes_reports_conditions_moves_and_settings():
    old = starting_points.friends_and_family_definition("s", "S")
    editing.add_page(old, "Second")
    editing.add_question(old, "second", "short_text", "Other")
    new = copy.deepcopy(old)
    editing.edit_page(new, "second", "Second page", "${fft} = 'poor'")
    editing.move_question_to_page(new, "fft_why", "second")
    editing.set_settings(new, {"public_link": True})
    texts = [c.text for c in version_changes(old, new)]
    assert "Page ‘Second’ renamed ‘Second page’" in texts
    assert "Page ‘Second page’: condition none became ‘${fft} = 'poor'’" in texts
    assert "Question ‘Please can you tell us why you gave your answer?’ moved to page ‘Second page’" in texts
    assert "Settings changed: public_link" in texts
    assert version_changes(old, old) == []


def test_each_change_has_its_two_sides_for_the_side_by_side_view():
    old = starting_points.friends_and_family_definition("s", "S")
    editing.add_page(old, "Second")
    editing.add_question(old, "second", "short_text", "Other")
    new = copy.deepcopy(old)
    editing.update_question(
        new, "fft", {"choices": editing.parse_choice_lines("very_good = Very good!\ngood = Good\nnew = A new one")}
    )
    editing.edit_page(new, "second", "Second page", "${fft} = 'good'")
    editing.delete_question(new, "fft_why")
    editing.set_settings(new, {"public_link": True})
    sides = {c.text: (c.before, c.after) for c in version_changes(old, new)}
    assert sides["‘Overall, how was your experience of our service?’: answer ‘Very good’ reworded: ‘Very good!’"] == (
        "very_good = Very good",
        "very_good = Very good!",
    )
    assert sides["‘Overall, how was your experience of our service?’: answer ‘A new one’ added"] == (
        "",
        "new = A new one",
    )
    assert sides["Page ‘Second’ renamed ‘Second page’"] == ("Second", "Second page")
    assert sides["Page ‘Second page’: condition none became ‘${fft} = 'good'’"] == ("", "${fft} = 'good'")
    assert sides["Question ‘Please can you tell us why you gave your answer?’ removed"] == (
        "Please can you tell us why you gave your answer?",
        "",
    )
    assert sides["Settings changed: public_link"] == ("public_link: (not set)", "public_link: yes")


# -- starting points ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(starting_points.STARTING_POINTS))
def test_every_starting_point_but_blank_validates(key):
    definition = starting_points.STARTING_POINTS[key][1]("start", "Start")
    problems = editing.draft_problems(definition)
    assert bool(problems) == (key == "blank")


def test_the_friends_and_family_test_has_its_six_answers():
    questionnaire = load_definition_data(starting_points.friends_and_family_definition("fft", "FFT"))
    question = questionnaire.question("fft")
    assert question.label == "Overall, how was your experience of our service?"
    assert [c.label for c in question.choices] == [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don't know",
    ]


# -- the round trip -----------------------------------------------------------------------------

#: one question of every type the engine declares, with every option its form edits
OPTIONS = {
    "single_choice": {"choices": "a = Apple\nBanana", "hint": "Pick one", "required": True},
    "multiple_choice": {"choices": "x = X\ny = Y", "constraint": "count-selected(.) <= 1", "constraint_message": "One"},
    "likert": {"required": True, "required_message": "Please agree or not"},
    "rating": {"min": "1", "max": "5", "min_label": "Poor", "max_label": "Great"},
    "short_text": {
        "min_length": "2",
        "max_length": "40",
        "pattern": "[A-Z]+",
        "pattern_message": "Capitals",
        "width": "10",
    },
    "long_text": {"max_length": "900", "hint": "Tell us"},
    "integer": {"min": "0", "max": "120", "suffix": "years", "width": "3"},
    "decimal": {"min": "0.5", "max": "99.25", "suffix": "kg"},
    "date": {"min": "2020-01-01", "max": "2030-12-31"},
    "yes_no": {"consent": True},
    "time": {"constraint": ". >= '08:00'", "required": True},
    "datetime": {"hint": "The day and time"},
    "rank": {"choices": "r = Red\ng = Green"},
    "hidden": {},
    "note": {"hint": "Read this"},
}


def _every_type_definition() -> dict:
    definition = starting_points.blank_definition("round-trip", "Round trip")
    for qtype in types.BUILT_IN:
        name = editing.add_question(definition, "page_1", qtype, f"The {qtype} question")
        values = dict(OPTIONS[qtype])
        if "choices" in values:
            values["choices"] = editing.parse_choice_lines(values["choices"])
        editing.update_question(definition, name, values)
    editing.add_page(definition, "Later")
    editing.add_question(definition, "later", "short_text", "Why?")
    editing.edit_page(definition, "later", "Later", "${the_yes_no_question} = 'yes'")
    editing.update_question(definition, "why", {"relevant": "${the_rating_question} > 2"})
    editing.set_details(definition, "Round trip", "Every type")
    editing.set_settings(definition, {"public_link": True, "reminder_max": 3, "closes_on": "2030-01-31"})
    return definition


def test_every_type_round_trips_through_the_yaml_the_importer_reads():
    assert set(OPTIONS) == set(types.BUILT_IN), "a new type needs its options here"
    definition = _every_type_definition()
    assert not editing.draft_problems(definition), editing.draft_problems(definition).all
    loaded = load_definition_text(editing.definition_yaml(definition))
    assert loaded.to_dict() == Questionnaire.from_dict(definition).to_dict()
    again = load_definition_text(editing.definition_yaml(loaded.to_dict()))
    assert again.to_dict() == loaded.to_dict()
    assert loaded.question("the_decimal_question").min == loaded.question("the_decimal_question").min.__class__("0.5")


def test_published_yaml_downloaded_and_imported_again_is_the_same_questionnaire(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    survey = Survey(slug="round-trip", title="Round trip")
    db.session.add(survey)
    db.session.flush()
    drafts.save_draft(survey, _every_type_definition())
    db.session.commit()
    assert client.post("/admin/surveys/round-trip/editor/publish").status_code == 302
    published = db.session.scalar(select(Survey).where(Survey.slug == "round-trip")).current_version.definition
    downloaded = client.get("/admin/surveys/round-trip/definition").get_data(as_text=True)
    result = import_definition(db.session, downloaded, "download")
    db.session.commit()
    assert result.version.definition == published
    # and the editor opens it as it was published
    assert drafts.draft_of(result.survey) == published


# -- the guided condition builder ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "join", "expression"),
    [
        ([Rule("visited", "=", "yes")], "and", "${visited} = 'yes'"),
        ([Rule("age", ">=", "18"), Rule("age", "<", "65")], "and", "${age} >= 18 and ${age} < 65"),
        ([Rule("name", "=", "O'Neil")], "and", '${name} = "O\'Neil"'),
        (
            [Rule("routes", "selected", "bus"), Rule("routes", "not_selected", "car")],
            "or",
            "selected(${routes}, 'bus') or not(selected(${routes}, 'car'))",
        ),
        ([Rule("why", "answered"), Rule("score", "not_answered")], "or", "${why} != '' or ${score} = ''"),
        ([Rule("colour", "!=", "red and blue")], "and", "${colour} != 'red and blue'"),
        ([Rule("code", "=", "12")], "and", "${code} = '12'"),  # a text question: compared as text
    ],
)
def test_builder_rules_round_trip_through_the_expression(rules, join, expression):
    written = build_expression(rules, join, numeric=frozenset({"age", "score"}))
    assert written == expression
    assert expressions.parse(written)  # the engine reads what the builder writes
    assert read_expression(written) == (rules, join)


@pytest.mark.parametrize(
    "text",
    ["(${a} = 1)", "${a} + 1 > 2", "${a} = 1 and ${b} = 2 or ${c} = 3", "string-length(${a}) > 3", "${a} = ${b}"],
)
def test_expressions_the_builder_did_not_write_are_left_to_the_box(text):
    assert read_expression(text) is None


def test_builder_refuses_rules_it_cannot_write():
    with pytest.raises(BuilderError):
        build_expression([Rule("a", "=", "")])
    with pytest.raises(BuilderError):
        build_expression([Rule("a", "=", 'it\'s "x"')])
    with pytest.raises(BuilderError):
        build_expression([Rule("a", "~", "x")])
    with pytest.raises(BuilderError):
        build_expression([Rule("a", "=", "x")], join="xor")


def test_change_type_keeps_what_the_new_type_takes():
    definition = starting_points.blank_definition("s", "S")
    editing.add_question(definition, "page_1", "single_choice", "Pick")
    editing.update_question(definition, "pick", {"hint": "One", "required": True})
    editing.change_type(definition, "pick", "multiple_choice")
    question = definition["pages"][0]["questions"][0]
    assert question["type"] == "multiple_choice" and question["hint"] == "One" and len(question["choices"]) == 2
    editing.change_type(definition, "pick", "note")
    assert definition["pages"][0]["questions"][0] == {"name": "pick", "type": "note", "label": "Pick", "hint": "One"}
    assert not editing.draft_problems(definition)
    with pytest.raises(editing.EditError):
        editing.change_type(definition, "pick", "hologram")


# -- the round trip with shared lists of answers (services/choice_lists.py) --------------------------------------


def test_shared_lists_round_trip_through_the_yaml_publishing_and_the_download(app):
    from surveyapp.services import choice_lists

    definition = _every_type_definition()
    choice_lists.share(definition, "the_single_choice_question", "Fruit")
    editing.add_question(definition, "later", "multiple_choice", "Which fruit?")
    choice_lists.use_list(definition, "which_fruit", "fruit")
    choice_lists.set_choices(definition, "fruit", editing.parse_choice_lines("b = Banana\na = Apple\nCherry"))
    assert not editing.draft_problems(definition), editing.draft_problems(definition).all
    loaded = load_definition_text(editing.definition_yaml(definition))
    fruit = [
        {"value": "b", "label": "Banana"},
        {"value": "a", "label": "Apple"},
        {"value": "cherry", "label": "Cherry"},
    ]
    for name in ("the_single_choice_question", "which_fruit"):
        assert [{"value": c.value, "label": c.label} for c in loaded.question(name).choices] == fruit
    assert loaded.to_dict() == Questionnaire.from_dict(choice_lists.inlined(definition)).to_dict()

    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    survey = Survey(slug="round-trip", title="Round trip")
    db.session.add(survey)
    db.session.flush()
    drafts.save_draft(survey, copy.deepcopy(definition))
    db.session.commit()
    assert client.post("/admin/surveys/round-trip/editor/publish").status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.slug == "round-trip"))
    published = survey.current_version.definition
    reopened = drafts.draft_of(survey)  # the editor opens it with its shared list, as it was edited
    assert reopened["choice_lists"] == definition["choice_lists"]
    assert [q["choices"] for p in reopened["pages"] for q in p["questions"] if q["name"] in ("which_fruit",)] == [
        "fruit"
    ]
    downloaded = client.get("/admin/surveys/round-trip/definition").get_data(as_text=True)
    assert "choice_lists:" in downloaded
    result = import_definition(db.session, downloaded, "download")
    db.session.commit()
    assert result.version.definition == published

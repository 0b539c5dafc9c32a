"""Shared lists of answers in the editor: the service's functions, each route (with its CSRF token), the code
warning, and the lists kept through publishing (a version stores choices inline; its source keeps the lists)."""

from __future__ import annotations

import pytest
from auth_helpers import make_user, sign_in
from conftest import csrf_token_from, make_app
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.services import choice_lists, drafts, editing
from surveyapp.services.version_changes import version_changes

FREQUENCY = [{"value": "never", "label": "Never"}, {"value": "monthly", "label": "Monthly"}]


def _definition() -> dict:
    return {
        "slug": "lists",
        "title": "Lists",
        "choice_lists": {"frequency": [dict(c) for c in FREQUENCY]},
        "pages": [
            {
                "name": "main",
                "title": "Main",
                "questions": [
                    {"name": "gp", "type": "single_choice", "label": "GP?", "choices": "frequency"},
                    {"name": "chemist", "type": "multiple_choice", "label": "Chemist?", "choices": "frequency"},
                    {
                        "name": "own",
                        "type": "single_choice",
                        "label": "Own?",
                        "choices": [{"value": "a", "label": "A"}],
                    },
                    {"name": "comment", "type": "long_text", "label": "Comment"},
                ],
            }
        ],
    }


# --- the service ------------------------------------------------------------------------------


def test_lists_users_and_resolved_choices():
    definition = _definition()
    assert list(choice_lists.lists(definition)) == ["frequency"]
    assert [q["name"] for q in choice_lists.users(definition, "frequency")] == ["gp", "chemist"]
    gp = definition["pages"][0]["questions"][0]
    assert choice_lists.list_of(gp) == "frequency" and choice_lists.resolved(definition, gp) == FREQUENCY
    inlined = choice_lists.inlined(definition)
    assert "choice_lists" not in inlined and inlined["pages"][0]["questions"][1]["choices"] == FREQUENCY
    assert definition["pages"][0]["questions"][1]["choices"] == "frequency"  # the original is untouched
    assert not editing.draft_problems(definition)


def test_editing_a_list_once_changes_every_question_using_it():
    definition = _definition()
    choices = editing.parse_choice_lines("weekly = Every week\nnever = Never at all\nDon't know")
    choice_lists.set_choices(definition, "frequency", choices)
    assert [c["value"] for c in choices] == ["weekly", "never", "don_t_know"]  # reordered, reworded, code made
    inlined = choice_lists.inlined(definition)
    for question in inlined["pages"][0]["questions"][:2]:
        assert [c["label"] for c in question["choices"]] == ["Every week", "Never at all", "Don't know"]


def test_converting_between_own_answers_and_a_shared_list():
    definition = _definition()
    choice_lists.own_copy(definition, "gp")
    assert definition["pages"][0]["questions"][0]["choices"] == FREQUENCY
    name = choice_lists.share(definition, "own", "Own answers")
    assert name == "own_answers" and definition["choice_lists"]["own_answers"] == [{"value": "a", "label": "A"}]
    choice_lists.use_list(definition, "gp", "own_answers")
    assert definition["pages"][0]["questions"][0]["choices"] == "own_answers"
    assert not editing.draft_problems(definition)
    with pytest.raises(editing.EditError):
        choice_lists.use_list(definition, "comment", "frequency")  # a text question has no answers to share
    with pytest.raises(editing.EditError):
        choice_lists.use_list(definition, "gp", "nope")
    with pytest.raises(editing.EditError, match="used by"):
        choice_lists.delete_list(definition, "own_answers")
    choice_lists.use_list(definition, "chemist", "own_answers")
    choice_lists.delete_list(definition, "frequency")  # no question uses it any more
    assert list(definition["choice_lists"]) == ["own_answers"]


def test_restore_puts_back_the_lists_of_the_source():
    definition = _definition()
    loaded = editing.definition_yaml(definition)
    from surveyapp.questionnaires.loader import load_definition_text

    stored = load_definition_text(loaded).to_dict()  # what a version stores: choices inline
    assert "choice_lists" not in stored
    restored = choice_lists.restore(stored, loaded)
    assert restored["choice_lists"] == {"frequency": FREQUENCY}
    assert [q.get("choices") for q in restored["pages"][0]["questions"][:3]] == [
        "frequency",
        "frequency",
        [{"value": "a", "label": "A"}],
    ]
    assert choice_lists.restore({"pages": []}, "not: [valid") == {"pages": []}  # unreadable source: as it is


def test_changes_between_versions_compare_the_lists_answers():
    old = choice_lists.inlined(_definition())
    new = _definition()
    choice_lists.set_choices(new, "frequency", [*FREQUENCY, {"value": "weekly", "label": "Weekly"}])
    changes = [c.text for c in version_changes(old, choice_lists.inlined(new))]
    assert sum("Weekly" in text for text in changes) == 2, changes  # one per question using the list


# --- the routes -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    sign_in(client, make_user("admin@example.org", "admin"))
    return client


def _draft() -> dict:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == "test-choice-lists")).draft_definition


def test_the_lists_page_shows_the_lists_and_adds_one(admin_client, import_survey):
    import_survey("choice_lists", status="draft")
    page = admin_client.get("/admin/surveys/test-choice-lists/editor/choice-lists")
    assert page.status_code == 200 and "frequency" in page.text and "How often do you see your GP?" in page.text
    assert "Shared lists of answers" in admin_client.get("/admin/surveys/test-choice-lists/editor").text
    refused = admin_client.post(
        "/admin/surveys/test-choice-lists/editor/choice-lists", data={"title": "", "choices": "Yes"}
    )
    assert refused.status_code == 400 and "Enter a name for the list" in refused.text
    added = admin_client.post(
        "/admin/surveys/test-choice-lists/editor/choice-lists", data={"title": "Agree?", "choices": "Yes\nNo"}
    )
    assert added.status_code == 302 and added.location.endswith("/editor/choice-lists/agree")
    assert _draft()["choice_lists"]["agree"] == [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


def test_a_list_is_edited_once_with_the_code_warning(admin_client, import_survey, invite):
    from journey_helpers import Journey

    survey = import_survey("choice_lists")
    _, _, path = invite(survey)
    journey = Journey(admin_client.application.test_client(), path)
    journey.start()
    journey.answer("main", {"gp_visits": "monthly", "pharmacy_visits": ["weekly"]})
    url = "/admin/surveys/test-choice-lists/editor/choice-lists/frequency"
    page = admin_client.get(url)
    assert (
        page.status_code == 200 and "monthly = Monthly" in page.text and "When do you go to the pharmacy?" in page.text
    )
    held = admin_client.post(url, data={"choices": "never = Never\nmonthly = Once a month\nDaily"})
    assert held.status_code == 400 and "Answers already use the code weekly" in held.text
    assert _draft() is None  # nothing saved yet
    saved = admin_client.post(
        url, data={"choices": "never = Never\nmonthly = Once a month\nDaily", "confirm_codes": "y"}
    )
    assert saved.status_code == 302
    draft = _draft()
    assert draft["choice_lists"]["frequency"][1] == {"value": "monthly", "label": "Once a month"}
    assert draft["choice_lists"]["frequency"][2] == {"value": "daily", "label": "Daily"}
    assert {q["choices"] for q in draft["pages"][0]["questions"]} == {"frequency"}
    assert admin_client.get("/admin/surveys/test-choice-lists/editor/choice-lists/nope").status_code == 404


def test_a_question_switches_between_its_own_answers_and_a_list(admin_client, import_survey):
    import_survey("choice_lists", status="draft")
    question = "/admin/surveys/test-choice-lists/editor/questions/gp_visits"
    page = admin_client.get(question)
    assert "From the shared list" in page.text and "Give this question its own answers" in page.text
    # saving the question keeps its list (the list's answers are not in its form)
    assert admin_client.post(question, data={"label": "GP visits?", "choices": ""}).status_code == 302
    assert _draft()["pages"][0]["questions"][0]["choices"] == "frequency"
    own = admin_client.post(f"{question}/choice-list", data={"action": "own"})
    assert own.status_code == 302 and _draft()["pages"][0]["questions"][0]["choices"][0]["value"] == "never"
    assert "Make these answers a shared list" in admin_client.get(question).text
    shared = admin_client.post(f"{question}/choice-list", data={"action": "share", "title": "GP answers"})
    assert shared.status_code == 302
    draft = _draft()
    assert draft["pages"][0]["questions"][0]["choices"] == "gp_answers" and "gp_answers" in draft["choice_lists"]
    back = admin_client.post(f"{question}/choice-list", data={"action": "use", "list_name": "frequency"})
    assert back.status_code == 302 and _draft()["pages"][0]["questions"][0]["choices"] == "frequency"
    unknown = admin_client.post(
        f"{question}/choice-list", data={"action": "use", "list_name": "nope"}, follow_redirects=True
    )
    assert "Choose one of the shared lists" in unknown.text
    assert admin_client.post(f"{question}/choice-list", data={"action": "explode"}).status_code == 302
    # an unused list can be deleted; a used one cannot
    used = admin_client.post(
        "/admin/surveys/test-choice-lists/editor/choice-lists/frequency/delete", follow_redirects=True
    )
    assert "The list is used by" in used.text and "frequency" in _draft()["choice_lists"]
    gone = admin_client.post("/admin/surveys/test-choice-lists/editor/choice-lists/gp_answers/delete")
    assert gone.status_code == 302 and "gp_answers" not in _draft()["choice_lists"]
    assert (
        admin_client.post(
            "/admin/surveys/test-choice-lists/editor/questions/nope/choice-list", data={"action": "own"}
        ).status_code
        == 404
    )


def test_using_a_list_that_lacks_a_code_answers_use_needs_confirming(admin_client, import_survey, invite):
    from journey_helpers import Journey

    survey = import_survey("choice_lists")
    _, _, path = invite(survey)
    journey = Journey(admin_client.application.test_client(), path)
    journey.start()
    journey.answer("main", {"gp_visits": "monthly"})
    admin_client.post(
        "/admin/surveys/test-choice-lists/editor/choice-lists", data={"title": "Yes no", "choices": "Yes\nNo"}
    )
    question = "/admin/surveys/test-choice-lists/editor/questions/gp_visits/choice-list"
    held = admin_client.post(question, data={"action": "use", "list_name": "yes_no"}, follow_redirects=True)
    assert "Answers already use the code monthly" in held.text
    assert _draft()["pages"][0]["questions"][0]["choices"] == "frequency"
    done = admin_client.post(question, data={"action": "use", "list_name": "yes_no", "confirm_codes": "y"})
    assert done.status_code == 302 and _draft()["pages"][0]["questions"][0]["choices"] == "yes_no"


ROUTES = [
    (
        "/admin/surveys/test-choice-lists/editor/choice-lists",
        "/admin/surveys/test-choice-lists/editor/choice-lists",
        {"title": "New", "choices": "A"},
    ),
    (
        "/admin/surveys/test-choice-lists/editor/choice-lists/frequency",
        "/admin/surveys/test-choice-lists/editor/choice-lists/frequency",
        {"choices": "never = Never\nmonthly = Monthly\nweekly = Weekly"},
    ),
    (
        "/admin/surveys/test-choice-lists/editor/questions/gp_visits",
        "/admin/surveys/test-choice-lists/editor/questions/gp_visits/choice-list",
        {"action": "own"},
    ),
    (
        "/admin/surveys/test-choice-lists/editor/choice-lists/new",
        "/admin/surveys/test-choice-lists/editor/choice-lists/new/delete",
        {},
    ),
]


def test_each_action_needs_its_csrf_token(app, database_url, import_survey):
    import_survey("choice_lists", status="draft")
    admin = make_user("admin3@example.org", "admin")
    csrf_app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    sign_in(client, admin)
    db.session.remove()  # the requests below run in csrf_app's own sessions
    for form_page, action, data in ROUTES:
        assert client.post(action, data=data).status_code == 400, action
        token = csrf_token_from(client.get(form_page).text)
        done = client.post(action, data={**data, "csrf_token": token})
        assert done.status_code == 302, (action, done.status_code)
    with csrf_app.app_context():
        draft = db.session.scalar(select(Survey).where(Survey.slug == "test-choice-lists")).draft_definition
        assert "new" not in draft["choice_lists"] and draft["choice_lists"]["frequency"][-1]["value"] == "weekly"
        assert isinstance(draft["pages"][0]["questions"][0]["choices"], list)


def test_the_lists_survive_publishing_and_the_yaml_round_trip(admin_client, import_survey):
    survey = import_survey("choice_lists", status="draft")
    url = "/admin/surveys/test-choice-lists/editor/choice-lists/frequency"
    admin_client.post(url, data={"choices": "never = Never\nmonthly = Monthly\nweekly = Weekly\nDaily"})
    assert admin_client.post("/admin/surveys/test-choice-lists/editor/publish").status_code == 302
    db.session.expire_all()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "test-choice-lists"))
    assert survey.draft_definition is None
    stored = survey.current_version.definition
    assert "choice_lists" not in stored and stored["pages"][0]["questions"][1]["choices"][-1]["value"] == "daily"
    again = drafts.draft_of(survey)  # the next draft starts with the lists again
    assert again["choice_lists"]["frequency"][-1] == {"value": "daily", "label": "Daily"}
    assert [q["choices"] for q in again["pages"][0]["questions"]] == ["frequency", "frequency"]

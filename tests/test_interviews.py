"""Interview mode: the volunteer's journey, consent, drafts, isolation between volunteers."""

from __future__ import annotations

import re

import pytest
from auth_helpers import assign, make_user, sign_in
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.interviews.service import participant_code_problem
from surveyapp.models import Answer, DeclinedInterview, Response, SurveyAssignment
from surveyapp.services.surveys import set_status


def shown(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="_shown" value="([^"]+)">', html)


class Interview:
    """Drive one interview through the test client the way a browser would."""

    def __init__(self, client, response_id: int):
        self.client, self.base = client, f"/interviews/{response_id}"

    def answer(self, page: str, data: dict, **query):
        form = {
            "_shown": shown(self.client.get(f"{self.base}/page/{page}", query_string=query).get_data(as_text=True)),
            **data,
        }
        return self.client.post(f"{self.base}/page/{page}", data=form, query_string=query)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def survey(import_survey):
    return import_survey("interview")


@pytest.fixture
def volunteer(survey):
    user = make_user("a@example.org", "volunteer")
    assign(user, survey)
    return user


@pytest.fixture
def signed_in(client, volunteer):
    sign_in(client, volunteer)
    return client


def start(client, slug="test-interview", code=""):
    response = client.post(f"/interviews/new/{slug}", data={"participant_code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.match(r"/interviews/(\d+)/page/consent$", response.location)
    assert match, response.location
    return Interview(client, int(match.group(1))), int(match.group(1))


def test_the_list_shows_the_surveys_assigned_to_the_volunteer(signed_in, import_survey):
    other = import_survey(
        "interview",
        text=(
            "slug: other-interview\ntitle: Not yours\nsettings: {interview: true}\n"
            "pages: [{name: p, title: P, questions: [{name: q, type: short_text, label: Q}]}]\n"
        ),
    )
    html = signed_in.get("/interviews/").get_data(as_text=True)
    assert "Interview test" in html and "/interviews/new/test-interview" in html
    assert "Not yours" not in html
    assert signed_in.get(f"/interviews/new/{other.slug}").status_code == 404


def test_a_whole_interview_uses_the_same_pages_conditions_and_validation(signed_in, volunteer):
    interview, response_id = start(signed_in, code="PHB-014")
    page = signed_in.get(f"/interviews/{response_id}/page/consent").get_data(as_text=True)
    assert "Does the person agree to take part?" in page
    assert interview.answer("consent", {"agree": "yes"}).location.endswith("/page/service")
    # Required question left empty: the engine's error, same as for respondents.
    error = interview.answer("service", {})
    assert error.status_code == 200 and "govuk-error-summary" in error.get_data(as_text=True)
    # An answer reveals a conditional question on the same page.
    more = interview.answer("service", {"satisfied": "no"})
    assert more.status_code == 200 and "Why not?" in more.get_data(as_text=True)
    assert interview.answer("service", {"satisfied": "no", "why_not": "Waited too long"}).location.endswith(
        "/page/more"
    )
    bad_number = interview.answer("more", {"visits": "400"})
    assert bad_number.status_code == 200 and "govuk-error-summary" in bad_number.get_data(as_text=True)
    assert interview.answer("more", {"visits": "3"}).location.endswith(f"/interviews/{response_id}/check")
    check = signed_in.get(f"/interviews/{response_id}/check").get_data(as_text=True)
    assert "Waited too long" in check and f'action="/interviews/{response_id}/submit"' in check
    submitted = signed_in.post(f"/interviews/{response_id}/submit")
    assert submitted.status_code == 303 and submitted.location == f"/interviews/{response_id}/done"
    for _ in range(2):  # the completion page can be reloaded
        done = signed_in.get(submitted.location).get_data(as_text=True)
        assert "Interview submitted" in done and "Participant code: PHB-014" in done

    response = db.session.get(Response, response_id)
    assert response.status == "completed" and response.submitted_at is not None
    assert response.collection_mode == "interview" and response.volunteer_id == volunteer.id
    assert response.participant_code == "PHB-014" and response.respondent_key.startswith("int:")
    assert count(Answer) == 4  # agree, satisfied, why_not, visits
    listing = signed_in.get("/interviews/").get_data(as_text=True)
    assert "PHB-014" in listing and "Submitted" in listing
    # A second submit (double click, back button) stores nothing more and cannot reopen it.
    again = signed_in.post(f"/interviews/{response_id}/submit")
    assert again.status_code == 303 and again.location == f"/interviews/{response_id}/done"
    assert count(Response) == 1 and count(Answer) == 4
    assert interview.answer("more", {"visits": "5"}).location == "/interviews/"
    assert db.session.scalar(select(Answer.value_number).where(Answer.value_text == "3")) == 3


def test_submitting_an_incomplete_interview_shows_the_missing_page_with_its_errors(signed_in):
    interview, response_id = start(signed_in)
    interview.answer("consent", {"agree": "yes"})
    response = signed_in.post(f"/interviews/{response_id}/submit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert f'action="/interviews/{response_id}/page/service"' in html
    assert db.session.get(Response, response_id).status == "in_progress"


def test_declined_consent_keeps_nothing_but_the_count(signed_in, survey, volunteer):
    interview, response_id = start(signed_in, code="PHB-099")
    response = interview.answer("consent", {"agree": "no"})
    assert response.location == "/interviews/declined/test-interview"
    page = signed_in.get(response.location).get_data(as_text=True)
    assert "nothing from this interview was kept" in page
    assert count(Response) == 0 and count(Answer) == 0
    declined = db.session.scalars(select(DeclinedInterview)).all()
    assert [(d.survey_id, d.volunteer_id, d.reason) for d in declined] == [(survey.id, volunteer.id, "declined")]
    assert "PHB-099" not in signed_in.get("/interviews/").get_data(as_text=True)
    assert signed_in.get(f"/interviews/{response_id}").status_code == 404


def test_changing_consent_to_no_on_a_draft_asks_first_then_records_a_withdrawal(signed_in, survey):
    interview, response_id = start(signed_in, code="PHB-040")
    interview.answer("consent", {"agree": "yes"})
    interview.answer("service", {"satisfied": "yes"})
    interview.answer("more", {"visits": "1"})
    assert count(Answer) == 3
    asked = interview.answer("consent", {"agree": "no"}, change=1)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Stop the interview and delete the answers?" in html
    assert "the 2 answers given so far" in html and "Participant code: PHB-040" in html
    assert count(Response) == 1 and count(Answer) == 3  # nothing discarded yet
    assert db.session.scalar(select(Answer.value_text).join(Response).where(Answer.value_text == "yes")) == "yes"
    # "No, keep the interview" goes back to the page; the stored consent is still yes.
    assert f'href="/interviews/{response_id}/page/consent"' in html
    withdrawn = signed_in.post(f"/interviews/{response_id}/withdraw")
    assert withdrawn.location == "/interviews/declined/test-interview?withdrew=1"
    assert "withdrew during the interview" in signed_in.get(withdrawn.location).get_data(as_text=True)
    assert count(Response) == 0 and count(Answer) == 0
    assert db.session.scalars(select(DeclinedInterview.reason)).all() == ["withdrew"]
    assert "PHB-040" not in signed_in.get("/interviews/").get_data(as_text=True)


def test_a_draft_is_saved_at_every_page_and_resumed_later(app, signed_in, volunteer):
    interview, response_id = start(signed_in, code="D-1")
    interview.answer("consent", {"agree": "yes"})
    interview.answer("service", {"satisfied": "yes"})
    # Later, on another device.
    later = app.test_client()
    sign_in(later, volunteer)
    listing = later.get("/interviews/").get_data(as_text=True)
    assert "Draft" in listing and f'href="/interviews/{response_id}"' in listing
    resumed = later.get(f"/interviews/{response_id}")
    assert resumed.location == f"/interviews/{response_id}/page/more"
    page = later.get(f"/interviews/{response_id}/page/service").get_data(as_text=True)
    assert re.search(r'value="yes"\s+checked', page)
    assert Interview(later, response_id).answer("more", {}).location.endswith("/check")
    assert later.post(f"/interviews/{response_id}/submit").status_code == 303
    assert db.session.get(Response, response_id).status == "completed"


def test_volunteers_only_see_and_resume_their_own_interviews(app, signed_in, survey):
    interview, response_id = start(signed_in, code="A-1")
    interview.answer("consent", {"agree": "yes"})
    other = make_user("b@example.org", "volunteer")
    assign(other, survey)
    b = app.test_client()
    sign_in(b, other)
    assert "A-1" not in b.get("/interviews/").get_data(as_text=True)
    for method, path in [
        ("get", ""),
        ("get", "/page/service"),
        ("post", "/page/service"),
        ("get", "/check"),
        ("post", "/submit"),
    ]:
        assert getattr(b, method)(f"/interviews/{response_id}{path}").status_code == 404, path
    assert count(Answer) == 1 and db.session.get(Response, response_id).status == "in_progress"


def test_a_volunteer_taken_off_a_survey_can_no_longer_open_its_interviews(signed_in, volunteer):
    interview, response_id = start(signed_in)
    db.session.execute(SurveyAssignment.__table__.delete())
    db.session.commit()
    assert signed_in.get(f"/interviews/{response_id}").status_code == 404
    assert signed_in.get("/interviews/new/test-interview").status_code == 404


def test_surveys_not_marked_for_interviews_cannot_be_run_by_volunteers(signed_in, volunteer, import_survey):
    survey = import_survey(
        "link",
        text=(
            "slug: by-link\ntitle: By link\n"
            "pages: [{name: p, title: P, questions: [{name: q, type: short_text, label: Q}]}]\n"
        ),
    )
    assign(volunteer, survey)  # even if an assignment row exists
    assert signed_in.get("/interviews/new/by-link").status_code == 404


def test_a_closed_survey_takes_no_new_interviews_or_changes(signed_in, survey):
    interview, response_id = start(signed_in)
    set_status(db.session, survey, "closed")
    db.session.commit()
    assert "This survey is closed" in signed_in.get("/interviews/new/test-interview").get_data(as_text=True)
    assert "This survey is closed" in signed_in.get(f"/interviews/{response_id}/page/consent").get_data(as_text=True)
    assert count(Response) == 1


@pytest.mark.parametrize("code", ["John Smith", "Smith", "abc-def", "A" * 20 + "1", "PHB_014", "<b>1</b>"])
def test_participant_codes_that_could_be_names_are_refused(signed_in, code):
    assert participant_code_problem(code)
    response = signed_in.post("/interviews/new/test-interview", data={"participant_code": code})
    assert response.status_code == 200 and "participant code" in response.get_data(as_text=True)
    assert count(Response) == 0


@pytest.mark.parametrize("code", ["", "PHB-014", "17", "x9"])
def test_short_reference_codes_are_accepted(code):
    assert participant_code_problem(code) is None


def test_interview_pages_show_the_participant_code_and_speak_to_the_interviewer(signed_in):
    interview, response_id = start(signed_in, code="PHB-021")
    consent = signed_in.get(f"/interviews/{response_id}/page/consent").get_data(as_text=True)
    assert "Participant code: PHB-021" in consent
    interview.answer("consent", {"agree": "yes"})
    interview.answer("service", {"satisfied": "yes"})
    interview.answer("more", {"visits": "2"})
    check = signed_in.get(f"/interviews/{response_id}/check").get_data(as_text=True)
    assert "Participant code: PHB-021" in check
    assert "Check the person’s answers before submitting" in check and "Submit interview" in check
    assert "Check your answers" not in check and "send your answers" not in check


def test_the_section_counter_counts_the_sections_the_person_may_still_see(signed_in):
    interview, response_id = start(signed_in)
    # Before consent the later sections wait on it: counted, not "1 of 1".
    assert "Section 1 of 3" in signed_in.get(f"/interviews/{response_id}/page/consent").get_data(as_text=True)
    interview.answer("consent", {"agree": "yes"})
    assert "Section 2 of 3" in signed_in.get(f"/interviews/{response_id}/page/service").get_data(as_text=True)
    assert "Section 3 of 3" in signed_in.get(f"/interviews/{response_id}/page/more").get_data(as_text=True)


def test_two_racing_interview_submits_complete_once_and_both_reach_the_completion_page(app, signed_in, volunteer):
    import threading

    interview, response_id = start(signed_in)
    interview.answer("consent", {"agree": "yes"})
    interview.answer("service", {"satisfied": "yes"})
    interview.answer("more", {"visits": "1"})
    db.session.close()
    clients = []
    for _ in range(2):
        c = app.test_client()
        sign_in(c, volunteer)
        clients.append(c)
    db.session.close()
    barrier = threading.Barrier(2)
    results = []

    def submit(c):
        barrier.wait()
        results.append(c.post(f"/interviews/{response_id}/submit"))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [(r.status_code, r.location) for r in results] == [(303, f"/interviews/{response_id}/done")] * 2
    db.session.expire_all()
    assert count(Response) == 1 and db.session.get(Response, response_id).status == "completed"


def test_save_draft_keeps_what_was_typed_valid_or_not_and_says_what_is_still_needed(signed_in):
    interview, response_id = start(signed_in, code="PHB-030")
    interview.answer("consent", {"agree": "yes"})
    page = signed_in.get(f"/interviews/{response_id}/page/more").get_data(as_text=True)
    assert "Save draft" in page and "data-warn-unsaved" in page and "js/unsaved.js" in page
    # The required question left empty: a draft saves anyway and stays on the page.
    draft = interview.answer("service", {"action": "draft"})
    html = draft.get_data(as_text=True)
    assert draft.status_code == 200 and "Draft saved." in html and "Still needed" in html
    assert "Are you satisfied with the service?" in html and "govuk-error-summary" not in html
    assert db.session.get(Response, response_id).current_page == "service"
    # A valid answer and an out-of-range one: the valid one is stored, the other reported.
    interview.answer("more", {"visits": "12", "action": "draft"})
    invalid = interview.answer("more", {"visits": "4000", "action": "draft"}).get_data(as_text=True)
    assert "Draft saved." in invalid and 'value="4000"' in invalid  # as typed, with what is wrong
    assert db.session.scalar(select(Answer.value_number).where(Answer.value_text == "12")) == 12
    complete = interview.answer("more", {"visits": "5", "action": "draft"}).get_data(as_text=True)
    assert "Everything on this page has an answer." in complete
    # Resuming later returns to the page of the draft.
    assert signed_in.get(f"/interviews/{response_id}").location.endswith("/page/more")


def test_respondents_have_no_save_draft_button(client, import_survey, invite):
    _, _, path = invite(import_survey("yes_no"))
    client.post(f"{path}/start")
    page = client.get(f"{path}/page/main").get_data(as_text=True)
    assert "Save draft" not in page and "unsaved.js" not in page
    # "action=draft" from a respondent is just a Continue.
    posted = client.post(f"{path}/page/main", data={"_shown": "smoker", "action": "draft"})
    assert "There is a problem" in posted.get_data(as_text=True)


@pytest.fixture
def welsh_survey(import_survey):
    from pathlib import Path

    text = (Path(__file__).parent / "questionnaires" / "languages.yaml").read_text()
    return import_survey(
        "languages", text=text.replace("  public_link: true\n", "  public_link: true\n  interview: true\n")
    )


def test_an_interview_can_be_run_in_another_language_of_the_questionnaire(client, welsh_survey):
    volunteer = make_user("w@example.org", "volunteer")
    assign(volunteer, welsh_survey)
    sign_in(client, volunteer)
    new = client.get("/interviews/new/test-languages").get_data(as_text=True)
    assert "Language of the interview" in new
    assert '<span lang="cy" dir="ltr">Cymraeg</span>' in new and '<span lang="ur" dir="rtl">اردو</span>' in new
    assert re.search(r'value="en" checked', new)  # the default language is chosen unless the volunteer says

    refused = client.post("/interviews/new/test-languages", data={"participant_code": "W-1", "language": "<xx>"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Select the language of the interview" in page
    assert 'href="#language"' in page and "&lt;xx&gt;" not in page and count(Response) == 0
    assert 'value="W-1"' in page  # what was typed is kept

    started = client.post("/interviews/new/test-languages", data={"participant_code": "W-1", "language": "cy"})
    assert started.status_code == 302
    response = db.session.scalars(select(Response)).one()
    assert response.language == "cy"
    page = client.get(started.location).get_data(as_text=True)
    assert '<html lang="cy"' in page and "Pa mor aml ydych chi&#39;n mynd i&#39;r fferyllfa?" in page
    assert "Tua unwaith y mis" in page
    # the staff interface stays English, marked as English inside a Welsh page
    assert re.search(r'<button[^>]*lang="en"[^>]*>\s*Continue', page)
    assert re.search(r'data-participant-code lang="en"', page)
    interview = Interview(client, response.id)
    moved = interview.answer("visits", {"how_often": "monthly", "age": "52"})
    assert moved.status_code == 302
    interview.answer("views", {"helpful": "yes"})
    check = client.get(f"/interviews/{response.id}/check").get_data(as_text=True)
    assert "Tua unwaith y mis" in check and "Oedden" in check
    client.post(f"/interviews/{response.id}/submit")
    db.session.expire_all()
    assert db.session.get(Response, response.id).status == "completed"
    codes = {a.value_text for a in db.session.scalars(select(Answer)) if a.choice_id is not None}
    assert codes == {"monthly", "yes"}  # stored by code, whatever the language


def test_a_questionnaire_in_one_language_asks_no_language(signed_in):
    assert "Language of the interview" not in signed_in.get("/interviews/new/test-interview").get_data(as_text=True)

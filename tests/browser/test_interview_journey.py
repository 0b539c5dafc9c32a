"""Journey 3: a volunteer runs interviews in a real Chromium.

They sign in at /login with a typed password (after a wrong one), start an
interview with a participant code (after one that could be a name) on the demo
PHB questionnaire, whose answers reveal follow-up questions, leave half-way (the
draft is saved at each Continue), sign out, sign in again, resume the draft from
their list and submit it. A second interview, where the person does not consent,
keeps nothing but the declined count. Every page, error states included, is
scanned by axe-core (web.check); CSRF protection is on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from auth_helpers import PASSWORD, assign, make_user
from playwright.sync_api import expect
from sqlalchemy import func, select

from browser.respondent import release_database
from surveyapp.extensions import db
from surveyapp.models import Answer, DeclinedInterview, Question, Response, UserSession

pytestmark = pytest.mark.browser

DEMO_INTERVIEW = Path(__file__).resolve().parents[2] / "surveyapp" / "demo" / "phb_interview.yaml"
VOLUNTEER = "volunteer@group.example.org"


def heading(page):
    return page.get_by_role("heading", level=1)


def sign_in(page, web, password: str = PASSWORD) -> None:
    expect(heading(page)).to_have_text("Sign in")
    web.check(page)
    page.get_by_label("Email address").press_sequentially(VOLUNTEER)
    page.get_by_label("Password", exact=True).press_sequentially(password)
    page.get_by_role("button", name="Sign in").click()


def stored_answers(response_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Question.name, func.count())
            .join(Answer, Answer.question_id == Question.id)
            .where(Answer.response_id == response_id)
            .group_by(Question.name)
        ).all()
    )


def test_volunteer_saves_a_draft_resumes_it_after_signing_in_again_and_a_refusal_keeps_nothing(app, web, import_survey):
    survey = import_survey("phb_interview", text=DEMO_INTERVIEW.read_text(encoding="utf-8"))
    volunteer = make_user(VOLUNTEER, "volunteer")
    assign(volunteer, survey)
    survey_id, volunteer_id = survey.id, volunteer.id
    release_database()

    page = web.new_page()
    page.goto("/interviews/")  # not signed in: the sign-in page, then back here
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, web, password="not-the-password")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    web.check(page)
    page.get_by_label("Email address").fill("")
    sign_in(page, web)

    expect(heading(page)).to_have_text("Interviews")
    expect(page.locator("main")).to_contain_text("You have not started any interviews yet.")
    web.check(page)
    page.get_by_role("link", name=re.compile("Start a new interview")).click()

    # A participant code that could be a name is refused, with the error linked to the field.
    expect(heading(page)).to_have_text("Personal Health Budget holder interview")
    web.check(page)
    page.get_by_label("Participant code (optional)").fill("Jane Smith")
    page.get_by_role("button", name="Start interview").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_label("Participant code (optional)")).to_have_value("Jane Smith")
    web.check(page)
    page.get_by_label("Participant code (optional)").fill("PHB-014")
    page.get_by_role("button", name="Start interview").click()

    # Consent: required, then Yes.
    expect(heading(page)).to_have_text("Before we start")
    web.check(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if the person agrees to take part")
    web.check(page)
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()

    # Your budget: "Something else" reveals its follow-up on the same page.
    expect(heading(page)).to_have_text("Your budget")
    other = page.get_by_label("What else do you use it for?")
    expect(other).to_be_hidden()
    page.get_by_role("checkbox", name="Equipment").check()
    page.get_by_role("checkbox", name="Something else").check()
    expect(other).to_be_visible()
    web.check(page)
    other.fill("Gym membership")
    page.get_by_role("radio", name="Agree", exact=True).check()
    page.get_by_role("radio", name="Yes, a lot").check()
    page.get_by_role("group", name=re.compile("rate your wellbeing")).get_by_role("radio", name="7").check()
    page.get_by_role("button", name="Continue").click()

    # Language: a language other than English brings the interpreter question.
    expect(heading(page)).to_have_text("Language")
    interpreter = page.get_by_role("group", name=re.compile("need an interpreter"))
    expect(interpreter).to_be_hidden()
    page.get_by_role("radio", name="Polish").check()
    expect(interpreter).to_be_visible()
    web.check(page)
    interpreter.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Making it better")
    draft_url = page.url

    # The volunteer stops here and signs out: the draft is in the database, the session is ended.
    page.get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("Sign in")
    draft = db.session.scalars(select(Response)).one()
    assert (draft.status, draft.current_page, draft.participant_code) == ("in_progress", "improvements", "PHB-014")
    assert stored_answers(draft.id) == {
        "consent": 1,
        "uses": 2,
        "uses_other": 1,
        "choice_control": 1,
        "stay_well": 1,
        "wellbeing": 1,
        "home_language": 1,
        "interpreter": 1,
    }
    assert db.session.scalar(select(UserSession.ended_at)) is not None
    draft_id = draft.id
    release_database()
    page.goto(draft_url)  # signed out: the draft is not shown
    expect(heading(page)).to_have_text("Sign in")

    # Signs in again (back to the page asked for), goes to the list, finds the draft and resumes it.
    sign_in(page, web)
    expect(page).to_have_url(draft_url)
    page.get_by_role("link", name="Interviews", exact=True).click()
    expect(heading(page)).to_have_text("Interviews")
    rows = page.locator("tbody tr", has_text="PHB-014")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Draft")
    web.check(page)
    rows.get_by_role("link", name=re.compile("Resume")).click()
    expect(heading(page)).to_have_text("Making it better")
    web.check(page)
    page.get_by_label("What would make your Personal Health Budget work better for you?").fill(
        "More help to find personal assistants."
    )
    page.get_by_role("button", name="Continue").click()

    expect(heading(page)).to_have_text("Check the person’s answers before submitting")
    main = page.locator("main")
    expect(main).to_contain_text("Participant code: PHB-014")
    for text in ("Gym membership", "Equipment", "Polish", "More help to find personal assistants."):
        expect(main).to_contain_text(text)
    web.check(page)
    page.get_by_role("button", name="Submit interview").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Interview submitted")
    web.check(page)
    page.get_by_role("link", name="Back to your interviews").click()
    expect(page.locator("tbody tr", has_text="PHB-014")).to_contain_text("Submitted")
    web.check(page)

    # A second interview: the person does not agree, so nothing is kept but the count.
    page.get_by_role("link", name=re.compile("Start a new interview")).click()
    page.get_by_label("Participant code (optional)").fill("PHB-015")
    page.get_by_role("button", name="Start interview").click()
    expect(heading(page)).to_have_text("Before we start")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Interview stopped")
    web.check(page)
    page.get_by_role("link", name="Back to your interviews").click()
    expect(page.locator("main")).not_to_contain_text("PHB-015")
    survey_row = page.locator("tbody tr", has_text="Personal Health Budget holder interview").first
    expect(survey_row.locator("td").nth(1)).to_have_text("1")  # the declined count
    web.check(page)

    completed = db.session.scalars(select(Response)).one()
    assert completed.id == draft_id and completed.status == "completed" and completed.submitted_at is not None
    assert (completed.collection_mode, completed.volunteer_id) == ("interview", volunteer_id)
    assert stored_answers(completed.id)["improve"] == 1
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.response_id != completed.id)) == 0
    assert (
        db.session.scalar(select(func.count()).select_from(Response).where(Response.participant_code == "PHB-015")) == 0
    )
    declined = db.session.scalars(select(DeclinedInterview)).all()
    assert [(d.survey_id, d.volunteer_id) for d in declined] == [(survey_id, volunteer_id)]


def test_volunteer_is_warned_before_leaving_unsaved_answers_saves_a_draft_and_a_withdrawal_is_confirmed(
    app, web, import_survey
):
    survey = import_survey("phb_interview", text=DEMO_INTERVIEW.read_text(encoding="utf-8"))
    volunteer = make_user(VOLUNTEER, "volunteer")
    assign(volunteer, survey)
    release_database()

    page = web.new_page()
    page.goto("/interviews/")
    sign_in(page, web)
    page.get_by_role("link", name=re.compile("Start a new interview")).click()
    page.get_by_label("Participant code (optional)").fill("PHB-020")
    page.get_by_role("button", name="Start interview").click()
    expect(page.locator("main")).to_contain_text("Participant code: PHB-020")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Your budget")
    expect(page.locator("main")).to_contain_text("Participant code: PHB-020")

    # Something typed and not saved: leaving asks first; staying keeps the page as it is.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("checkbox", name="Equipment").check()
    page.get_by_role("link", name="Interviews", exact=True).click(no_wait_after=True)
    expect(heading(page)).to_have_text("Your budget")
    assert dialogs == ["beforeunload"]
    expect(page.get_by_role("checkbox", name="Equipment")).to_be_checked()

    # Save draft: saved as it stands, with what still needs an answer; leaving is quiet now.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    expect(page.get_by_role("status")).to_contain_text("Still needed")
    web.check(page)
    page.get_by_role("link", name="Interviews", exact=True).click()
    expect(heading(page)).to_have_text("Interviews")
    assert dialogs == ["beforeunload"]
    draft = db.session.scalars(select(Response)).one()
    assert draft.current_page == "budget" and stored_answers(draft.id)["uses"] == 1
    draft_id = draft.id
    release_database()

    # Consent changed to No on the draft: asked first, then counted as a withdrawal.
    page.goto(f"/interviews/{draft_id}/page/consent")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Stop the interview and delete the answers?")
    web.check(page)
    page.get_by_role("button", name=re.compile("Yes, they withdrew")).click()
    expect(heading(page)).to_have_text("Interview stopped")
    expect(page.locator("main")).to_contain_text("withdrew during the interview")
    web.check(page)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalars(select(DeclinedInterview.reason)).all() == ["withdrew"]

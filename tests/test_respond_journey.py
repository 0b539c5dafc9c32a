"""The respondent's journey: pages, conditions, resume, check your answers, submit once."""

import re
import threading

from journey_helpers import Journey, error_summary, shown_fields
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, Invitation, InvitationEvent, Question, Response


def answer_names():
    return sorted(db.session.scalars(select(Question.name).join(Answer, Answer.question_id == Question.id)).all())


def test_conditions_show_and_hide_pages(client, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    assert journey.start().endswith("/page/first")

    # "no" skips the car and charging pages entirely
    assert journey.answer("first", {"has_car": "no"}).location.endswith("/page/end")
    # and the car page cannot be reached directly while hidden
    assert journey.page("car").location.endswith("/page/end")

    # going back and saying "yes" brings the car page; an electric car brings the charging page
    assert journey.answer("first", {"has_car": "yes"}).location.endswith("/page/car")
    car = journey.page("car").get_data(as_text=True)
    assert shown_fields(car) == ["car_count"]  # car_electric waits for car_count (same page)
    revealed = journey.answer("car", {"car_count": "2"})
    assert revealed.status_code == 200  # the page is shown again with the new question
    assert shown_fields(revealed.get_data(as_text=True)) == ["car_count", "car_electric"]
    assert journey.answer("car", {"car_count": "2", "car_electric": "yes"}).location.endswith("/page/charging")
    assert journey.answer("charging", {"charger": "yes"}).location.endswith("/page/end")
    assert answer_names() == ["car_count", "car_electric", "charger", "has_car"]

    # changing the first answer to "no" discards the answers of the questions it hides
    assert journey.answer("first", {"has_car": "no"}).location.endswith("/page/end")
    assert answer_names() == ["has_car"]


def test_condition_within_page_reveals_required_question_without_javascript(client, import_survey, invite):
    survey = import_survey("conditions_within_page")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    first = journey.answer("main", {"routes": ["other"]})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "routes_other" in shown_fields(html)
    assert error_summary(html) == []  # no error for a question the person had not seen yet
    second = journey.answer("main", {"routes": ["other"]})
    assert error_summary(second.get_data(as_text=True)) == [("#routes_other", "Enter an answer for ‘What other way?’")]
    assert (
        journey.answer("main", {"routes": ["other"], "routes_other": "Fax"}).status_code == 200
    )  # reveals other_detail
    done = journey.answer("main", {"routes": ["other"], "routes_other": "Fax", "other_detail": ""})
    assert done.location.endswith("/check")


def test_leaving_and_reopening_the_link_resumes(client, app, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    Journey(client, path).start()
    Journey(client, path).answer("first", {"has_car": "yes"})
    # a new browser: no cookies at all
    fresh = app.test_client()
    reopened = fresh.get(path)
    assert reopened.status_code == 302 and reopened.location.endswith("/page/car")
    page = fresh.get(f"{path}/page/first").get_data(as_text=True)
    assert 'value="yes" checked' in page


def test_check_your_answers_and_change(client, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    journey.answer("first", {"has_car": "yes"})
    journey.answer("car", {"car_count": "1"})
    journey.answer("car", {"car_count": "1", "car_electric": "no"})
    journey.answer("end", {"comments": "<script>alert(1)</script>"})
    html = journey.check().get_data(as_text=True)
    assert "Check your answers before submitting" in html
    assert "Do you have a car?" in html and "How many cars?" in html
    assert "Do you have a home charger?" not in html  # hidden by its condition
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    change = f"{path}/page/car?change=1#car_count"
    assert change in html
    # a change returns to check your answers, not to the next page
    changed = journey.answer("car", {"car_count": "3", "car_electric": "no"}, change="1")
    assert changed.location.endswith("/check")
    assert '<dd class="govuk-summary-list__value">\n      3' in journey.check().get_data(
        as_text=True
    ) or ">3<" in journey.check().get_data(as_text=True).replace("\n", "").replace(" ", "")


def test_submit_with_a_required_answer_missing_shows_that_page(client, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    journey = Journey(client, path)
    journey.start()
    response = journey.submit()
    assert response.status_code == 200
    assert error_summary(response.get_data(as_text=True))[0][0] == "#smoker"
    assert db.session.scalar(select(Response.status)) == "in_progress"


def _complete(client, path):
    journey = Journey(client, path)
    journey.start()
    journey.answer("main", {"smoker": "no"})
    return journey


def test_double_submit_stores_one_response(client, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, _, path = invite(survey)
    journey = _complete(client, path)
    first = journey.submit()
    assert "Your answers have been sent" in first.get_data(as_text=True)
    second = journey.submit()  # a double click or the back button: the same completion page, nothing stored
    assert "Your answers have been sent" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(InvitationEvent).where(InvitationEvent.kind == "completed"))
        == 1
    )
    # after completion the link, its pages and its forms all say so and change nothing
    assert "already completed" in client.get(path).get_data(as_text=True)
    assert "already completed" in client.post(f"{path}/page/main", data={"smoker": "yes"}).get_data(as_text=True)
    assert db.session.scalar(select(Answer.value_text)) == "no"
    db.session.refresh(invitation)
    assert invitation.completed_at is not None


def test_two_concurrent_submits_store_one_completion(app, client, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    _complete(client, path)
    db.session.close()  # the test's own session must not hold SQLite's write lock
    barrier = threading.Barrier(2)
    results = []

    def submit():
        with app.test_client() as c:
            barrier.wait()
            posted = c.post(f"{path}/submit")
            results.append((posted.status_code, posted.location, c.get(posted.location).get_data(as_text=True)))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Winner and loser are answered the same way: the completion page, which says the answers are in.
    assert [(status, location) for status, location, _ in results] == [(303, f"{path}/done")] * 2
    assert all("Your answers have been sent" in page for _, _, page in results)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(InvitationEvent).where(InvitationEvent.kind == "completed"))
        == 1
    )


def test_the_thank_you_page_can_be_reloaded_and_revisited(client, app, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    _complete(client, path)
    submitted = client.post(f"{path}/submit")
    assert submitted.status_code == 303 and submitted.location == f"{path}/done"
    for _ in range(2):  # a reload, then a later visit from another browser
        page = client.get(submitted.location)
        assert page.status_code == 200 and "Your answers have been sent" in page.get_data(as_text=True)
    assert "Your answers have been sent" in app.test_client().get(f"{path}/done").get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(InvitationEvent).where(InvitationEvent.kind == "completed"))
        == 1
    )


def test_the_thank_you_page_before_submitting_leads_back_into_the_journey(client, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    assert client.get(f"{path}/done").location == path  # not started: the start page
    Journey(client, path).start()
    assert client.get(f"{path}/done").location == path  # started: the start page resumes
    assert client.get(path).location.endswith("/page/main")


def test_two_concurrent_starts_make_one_response(app, import_survey, invite):
    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    db.session.close()
    barrier = threading.Barrier(2)
    codes = []

    def start():
        with app.test_client() as c:
            barrier.wait()
            codes.append(c.post(f"{path}/start").status_code)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302, 302]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_get_of_the_link_does_not_use_it_up(client, app, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, _, path = invite(survey)
    for _ in range(3):  # a mail scanner fetching the link
        assert app.test_client().get(path).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    db.session.refresh(invitation)
    assert invitation.first_opened_at is not None and invitation.started_at is None
    assert "Start now" in client.get(path).get_data(as_text=True)


def test_closed_survey_says_so(client, import_survey, invite):
    from surveyapp.services.surveys import set_status

    survey = import_survey("yes_no")
    _, _, path = invite(survey)
    set_status(db.session, survey, "closed")
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 200 and "This survey is closed" in response.get_data(as_text=True)
    assert "This survey is closed" in client.post(f"{path}/start").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def _without_nonce(body: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', body)


def test_unknown_revoked_and_malformed_tokens_get_the_plain_404(client, import_survey, invite):
    survey = import_survey("yes_no")
    invitation, token, path = invite(survey)
    plain_404 = client.get("/no/such/page")
    assert plain_404.status_code == 404
    unknown = "A" * 43
    for url in (f"/s/{unknown}", f"/s/{unknown}/page/main", "/s/'%20OR%201=1--", f"/s/{token[:-1]}"):
        response = client.get(url)
        assert response.status_code == 404
        assert _without_nonce(response.get_data()) == _without_nonce(plain_404.get_data())
    invitation.revoked_at = invitation.created_at
    db.session.commit()
    assert _without_nonce(client.get(path).get_data()) == _without_nonce(plain_404.get_data())


def test_token_of_another_survey_cannot_reach_this_surveys_pages(client, import_survey, invite):
    first = import_survey("yes_no")
    second = import_survey("integer")
    _, _, path = invite(first)
    Journey(client, path).start()
    # "main" exists in both; the token decides the survey, so this is yes_no's page
    assert "Do you smoke?" in client.get(f"{path}/page/main").get_data(as_text=True) or "smoker" in client.get(
        f"{path}/page/main"
    ).get_data(as_text=True)
    assert client.get(f"{path}/page/no-such-page").status_code == 404
    assert "patients" not in client.get(f"{path}/page/main").get_data(as_text=True)
    assert second.id != first.id


def test_public_link_gives_each_browser_its_own_response(app, import_survey):
    survey = import_survey(
        "yes_no",
        text=(
            "slug: public-test\ntitle: Public\nsettings:\n  public_link: true\npages:\n"
            "  - name: main\n    title: Main\n    questions:\n"
            "      - {name: smoker, type: yes_no, label: 'Do you smoke?', required: true}\n"
        ),
    )
    path = f"/p/{survey.public_key}"
    browsers = [app.test_client(), app.test_client()]
    for b, value in zip(browsers, ("yes", "no")):
        journey = Journey(b, path)
        journey.start()
        journey.answer("main", {"smoker": value})
        assert "Your answers have been sent" in journey.submit().get_data(as_text=True)
    assert sorted(db.session.scalars(select(Response.collection_mode))) == ["public", "public"]
    assert db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "completed")) == 2
    assert app.test_client().get("/p/not-the-key").status_code == 404


def test_emailed_link_uses_the_configured_base_url_not_the_host_header(app, import_survey):
    from surveyapp.services.invitations import invite
    from surveyapp.services.links import invitation_link

    survey = import_survey("yes_no")
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        invitation = invite(db.session, survey, make_up_contact_when_none=True)[0]
        assert invitation_link(invitation).startswith("http://surveys.test/s/")


def test_database_copy_alone_does_not_give_working_links(app, import_survey, invite):
    invitation, token, _ = invite(import_survey("yes_no"))
    stored = db.session.get(Invitation, invitation.id)
    assert token not in (stored.token_hash, stored.token_nonce.hex())
    assert len(token) == 43  # 256 bits of HMAC output, base64url


def test_the_section_counter_counts_only_the_sections_this_respondent_may_see(client, import_survey, invite):
    survey = import_survey("conditions_across_pages")
    _, _, path = invite(survey)
    assert "It has 4 short sections" in client.get(path).get_data(as_text=True)
    journey = Journey(client, path)
    journey.start()
    assert "Section 1 of 4" in journey.page("first").get_data(as_text=True)  # car and charging may follow
    journey.answer("first", {"has_car": "no"})
    assert "Section 2 of 2" in journey.page("end").get_data(as_text=True)  # and stays so on every page
    assert "Section 1 of 2" in journey.page("first").get_data(as_text=True)

"""Images stored with a survey (issue 18: easy read pictures, XLSForm media): checked, re-encoded without
metadata, uploaded and removed by admins (audited), shown above their question in the respondent's language,
served with their own type, and carried in and out of XLSForm."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from auth_helpers import make_user, sign_in
from PIL import Image
from route_values import tiny_png
from sqlalchemy import func, select
from xlsform_helpers import workbook

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, SurveyImage
from surveyapp.questionnaires.loader import load_definition_data
from surveyapp.questionnaires.media import image_name, used_images
from surveyapp.questionnaires.xlsform import read_xlsform
from surveyapp.services.images import ImageError, add_image, check_image
from surveyapp.services.xlsform import xlsform_bytes

LANGUAGES = (Path(__file__).parent / "questionnaires" / "languages.yaml").read_text()
WITH_IMAGES = LANGUAGES.replace(
    "        choices: frequency\n",
    "        choices: frequency\n        image: pharmacy.png\n",
    1,
).replace(
    "        label: Pa mor aml ydych chi'n mynd i'r fferyllfa?\n",
    "        label: Pa mor aml ydych chi'n mynd i'r fferyllfa?\n        image: fferyllfa.png\n"
    "        image_alt: Llun o fferyllfa\n",
    1,
)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


# -- checking -------------------------------------------------------------------------------------------


def test_an_image_is_re_encoded_without_its_metadata():
    raw = jpeg_with_gps()
    assert b"PhoneMaker" in raw
    checked = check_image("IMG 0001.jpg", raw)
    assert (checked.name, checked.content_type, checked.width, checked.height) == ("IMG-0001.jpg", "image/jpeg", 8, 6)
    assert b"PhoneMaker" not in checked.data and not Image.open(io.BytesIO(checked.data)).getexif()


@pytest.mark.parametrize(
    "filename, raw, message",
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "PNG, JPEG, GIF or WebP",
        ),
        ("notes.png", b"just some text", "PNG, JPEG, GIF or WebP"),
        ("cut.png", tiny_png(size=(64, 64))[:60], "damaged"),
        ("wide.png", None, "at most 4000"),
        ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        ("../", tiny_png(), "file name"),
        ("", tiny_png(), "file name"),
    ],
)
def test_what_is_not_an_image_that_can_be_shown_is_refused_with_a_clear_message(filename, raw, message):
    if raw is None:
        raw = tiny_png(size=(4001, 2))
    with pytest.raises(ImageError) as refused:
        check_image(filename, raw)
    assert message in str(refused.value)


def test_image_names_are_reduced_to_safe_file_names():
    assert image_name("C:\\photos\\My pharmacy (1).PNG") == "My-pharmacy-1.PNG"
    assert image_name("../../etc/passwd") == "passwd"
    assert image_name("<script>.png") == "script.png"


# -- admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def survey(import_survey):
    return import_survey("images", text=WITH_IMAGES)


@pytest.fixture
def admin(client):
    user = make_user("admin@example.org", "admin")
    sign_in(client, user)
    return client


def test_the_survey_page_names_the_images_the_questionnaire_needs_and_takes_uploads(admin, survey):
    page = admin.get(f"/admin/surveys/{survey.slug}").get_data(as_text=True)
    assert "not uploaded yet: fferyllfa.png, pharmacy.png" in page
    files = [(io.BytesIO(tiny_png()), "pharmacy.png"), (io.BytesIO(b"<svg/>"), "evil.svg")]
    refused = admin.post(
        f"/admin/surveys/{survey.slug}/images", data={"images": files}, content_type="multipart/form-data"
    )
    page = refused.get_data(as_text=True)
    assert (
        refused.status_code == 400
        and "evil.svg: this is not an image that can be shown (PNG, JPEG, GIF or WebP)" in page
    )
    assert 'href="#images"' in page and "Stored: pharmacy.png." in page  # the good file is not lost
    assert db.session.scalars(select(SurveyImage.name)).all() == ["pharmacy.png"]
    stored = admin.post(
        f"/admin/surveys/{survey.slug}/images",
        data={"images": [(io.BytesIO(jpeg_with_gps()), "fferyllfa.png")]},
        content_type="multipart/form-data",
    )
    assert stored.status_code == 302
    page = admin.get(f"/admin/surveys/{survey.slug}").get_data(as_text=True)
    assert "not uploaded yet" not in page and "how_often" in page and "8 × 6 pixels" in page
    kinds = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("survey.image%"))).all()
    assert sorted(kinds) == ["survey.image_added", "survey.image_added"]
    # the same name again replaces it (audited as such); remove takes it away
    admin.post(
        f"/admin/surveys/{survey.slug}/images",
        data={"images": [(io.BytesIO(tiny_png((0, 0, 0))), "pharmacy.png")]},
        content_type="multipart/form-data",
    )
    assert db.session.scalar(select(func.count()).select_from(SurveyImage)) == 2
    image = db.session.scalars(select(SurveyImage).where(SurveyImage.name == "pharmacy.png")).one()
    removed = admin.post(f"/admin/surveys/{survey.slug}/images/{image.id}/remove")
    assert removed.status_code == 302
    assert db.session.scalars(select(SurveyImage.name)).all() == ["fferyllfa.png"]
    kinds = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("survey.image%"))).all()
    assert "survey.image_replaced" in kinds and "survey.image_removed" in kinds


def test_an_upload_with_no_file_says_what_to_do(admin, survey):
    response = admin.post(f"/admin/surveys/{survey.slug}/images", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose one or more images to upload" in response.get_data(as_text=True)


# -- the respondent ------------------------------------------------------------------------------------


def test_the_respondent_sees_the_image_above_its_question_in_their_language(client, survey):
    add_image(db.session, survey, "pharmacy.png", tiny_png())
    add_image(db.session, survey, "fferyllfa.png", tiny_png((0, 200, 0)))
    db.session.commit()
    path = f"/p/{survey.public_key}"
    client.post(f"{path}/start")
    page = client.get(f"{path}/page/visits").get_data(as_text=True)
    image = re.search(r'<img class="app-question-image" src="([^"]+)" alt="([^"]*)"', page)
    assert image and image.groups() == (f"/media/{survey.slug}/pharmacy.png", "")
    served = client.get(image.group(1))
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "max-age" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.data)).size == (4, 3)
    again = client.get(image.group(1), headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and not again.data

    welsh = client.post(
        f"{path}/language", data={"lang": "cy", "back_to": f"{path}/page/visits"}, follow_redirects=True
    )
    page = welsh.get_data(as_text=True)
    assert f'src="/media/{survey.slug}/fferyllfa.png" alt="Llun o fferyllfa"' in page


@pytest.mark.parametrize(
    "path",
    ["/media/nope/pharmacy.png", "/media/test-languages/missing.png", "/media/test-languages/..%2f..%2fx", "/media/x"],
)
def test_an_unknown_image_is_a_404(client, survey, path):
    add_image(db.session, survey, "pharmacy.png", tiny_png())
    db.session.commit()
    assert client.get(path).status_code == 404


def test_used_images_lists_every_language():
    questionnaire = load_definition_data(__import__("yaml").safe_load(WITH_IMAGES))
    assert used_images(questionnaire) == {"pharmacy.png": ["how_often"], "fferyllfa.png": ["how_often"]}


# -- XLSForm ---------------------------------------------------------------------------------------------


def test_xlsform_media_image_columns_become_the_questions_images_and_come_back_out():
    form = workbook(
        [
            [
                "type",
                "name",
                "label::English (en)",
                "label::Welsh (cy)",
                "media::image::English (en)",
                "media::image::Welsh (cy)",
                "image_alt",
            ],
            [
                "select_one yes_no",
                "helpful",
                "Were the staff helpful?",
                "Oedd y staff yn barod i helpu?",
                "staff photo.jpg",
                "staff-cy.jpg",
                "Two pharmacists at the counter",
            ],
            ["text", "comments", "Anything else?", "Unrhyw beth arall?", None, None, None],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Welsh (cy)"],
            ["yes_no", "yes", "Yes", "Ie"],
            ["yes_no", "no", "No", "Na"],
        ],
        [["form_title", "form_id", "default_language"], ["Pharmacy", "pharmacy", "English (en)"]],
    )
    result = read_xlsform(form, "pharmacy.xlsx")
    questionnaire = load_definition_data(result.definition)
    helpful = questionnaire.question("helpful")
    assert (helpful.image, helpful.image_alt) == ("staff-photo.jpg", "Two pharmacists at the counter")
    assert questionnaire.translated("cy").question("helpful").image == "staff-cy.jpg"
    assert any("stored as 'staff-photo.jpg'" in notice for notice in result.notices)
    exported = xlsform_bytes(questionnaire)
    again = load_definition_data(read_xlsform(exported, "export.xlsx").definition)
    assert again.to_dict() == questionnaire.to_dict()


def test_xlsform_sounds_and_videos_are_refused_at_their_row():
    form = workbook(
        [["type", "name", "label", "media::audio"], ["text", "said", "What did they say?", "question.mp3"]],
        [["list_name", "name", "label"]],
        [["form_title", "form_id"], ["Sounds", "sounds"]],
    )
    from surveyapp.questionnaires.xlsform import XLSFormError

    with pytest.raises(XLSFormError) as refused:
        read_xlsform(form, "sounds.xlsx")
    assert "sounds and videos in questions are not supported" in str(refused.value)


def test_a_question_that_pipes_an_answer_keeps_its_image():
    from surveyapp.questionnaires.piping import piped_question

    text = WITH_IMAGES.replace(
        "        label: How often do you visit the pharmacy?\n",
        "        label: How often do you visit the pharmacy?\n",
        1,
    )
    questionnaire = load_definition_data(__import__("yaml").safe_load(text))
    question = questionnaire.question("helpful")
    question.label = "You said ${how_often}: were the staff helpful?"
    question.image, question.image_path = "staff.png", "test-languages/staff.png"
    piped = piped_question(question, questionnaire, {"how_often": "weekly"})
    assert piped is not question and piped.label == "You said Every week: were the staff helpful?"
    assert piped.image_path == "test-languages/staff.png"

"""Real values for every URL argument of the app, for the tests that walk `app.url_map` (hostile input, CSRF).

`build_world()` makes a survey with answers and a personal link, an interview survey with volunteer A's draft
interview, and an admin, an analyst and a volunteer; `path_for()` fills a rule's arguments with them, or
puts one already-percent-encoded value in place of one argument.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from access_matrix import ADMIN, ANALYST, VOLUNTEER
from auth_helpers import assign, make_user
from dashboard_data import add_contact, respond
from flask import url_for

from surveyapp.extensions import db
from surveyapp.interviews.service import start_interview
from surveyapp.services.images import add_image

PARAMETER = re.compile(r"<(?:(\w+)(?:\([^>]*\))?:)?(\w+)>")
# Values that differ by endpoint (the same argument name means different things).
ENDPOINT_VALUES = {
    "admin.template_edit": {"kind": "invitation"},
    "dashboards.export": {"filename": "responses.csv"},
    "interviews.page": {"page_name": "consent"},
}


def build_world(import_survey, invite) -> dict:
    results = import_survey("dashboard_mix")
    invitation, token, _path = invite(results)
    for n, colour in enumerate(["red", "blue", "red"]):
        respond(results, {"colour": colour, "score": n + 3, "comment": f"comment {n}"}, add_contact(f"c{n}@x.org"))
    interview = import_survey("interview")
    users = {role: make_user(f"{role}@example.org", role) for role in (ADMIN, ANALYST, VOLUNTEER)}
    assign(users[VOLUNTEER], interview)
    draft = start_interview(db.session, interview, users[VOLUNTEER], "A-1")
    draft.current_page = "consent"
    image, _ = add_image(db.session, results, "picture.png", tiny_png())
    db.session.commit()
    values = {
        "slug": results.slug,
        "status": "closed",
        "kind": "s",
        "key": token,
        "token": token,
        "page_name": "one",
        "response_id": draft.id,
        "user_id": users[VOLUNTEER].id,
        "contact_id": 1,
        "invitation_id": invitation.id,
        "report_id": 1,
        "section_id": 1,
        "action_id": 1,
        "share_id": 1,
        "link_id": 1,
        "change": "up",
        "action": "send",
        "filename": "favicon.svg",
        "name": "comment",
        "question_name": "comment",
        "path": f"{results.slug}/picture.png",
        "image_id": image.id,
        "list_name": "frequency",
    }
    return {"users": users, "values": values, "interview_slug": interview.slug}


def tiny_png(colour=(200, 30, 30), size=(4, 3)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def values_for(world: dict, endpoint: str) -> dict:
    values = dict(world["values"], **ENDPOINT_VALUES.get(endpoint, {}))
    if endpoint in ("interviews.new", "interviews.declined"):
        values["slug"] = world["interview_slug"]
    return values


def path_for(rule, values: dict, hostile: tuple[str, str] | None = None) -> str:
    """The rule's path with valid values (needs a request context), or with one argument replaced by an
    already-percent-encoded value."""
    with_values = {name: values[name] for name in rule.arguments}
    if hostile is None:
        return url_for(rule.endpoint, **with_values)
    name, raw = hostile
    return PARAMETER.sub(
        lambda m: raw if m.group(2) == name else quote(str(with_values[m.group(2)]), safe=""), rule.rule
    )

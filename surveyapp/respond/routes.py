"""Views of the respondent's journey: who may enter (a link's token or a public key) and its URLs.

The steps themselves (page, check, submit, completion) are the journey controller's
(journey/controller.py), shared with interviews.
"""

from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for
from flask_babel import LazyString, lazy_gettext

from ..database import ConnectionSession, write_transaction
from ..extensions import db
from ..i18n import translate, use_interface_language
from ..journey import flow
from ..journey.controller import RESPONDENT, Journey, render
from ..journey.forms import require_button
from ..journey.languages import language_context
from ..journey.survey_text import survey_text
from ..mail.copies import AnsweredSection, CopyRefused, copy_reference, queue_answers_copy
from ..mail.rendering import organisation_named
from ..models import utcnow
from ..models.enums import ResponseStatus
from ..questionnaires import piping
from ..services.invitations import record_event
from . import bp
from .access import (
    Respondent,
    contact_attributes,
    note_link_opened,
    resolve,
    set_language,
    start_response,
    survey_state,
)
from .forms import AnswersCopyForm, LanguageForm

KIND = "<any(s,p):kind>/<key>"


@bp.before_request
def _read_first():
    # Reads run in a read transaction (no SQLite write lock); writes use write_transaction().
    g.read_only = request.method in ("GET", "HEAD")
    g.read_first = True


@bp.teardown_request
def _forget_transaction_flags(_exc):
    for name in ("read_only", "read_first", "writing"):
        g.pop(name, None)
    connection = g.pop("journey_database", None)
    if connection is not None:
        connection.close()


def _database(kind: str):
    """Where a journey request reads and writes. A public link's journey writes only Core statements, so it
    runs on one Core connection for the request (database.ConnectionSession: no ORM session to set up, end
    and tear down); a personal link writes the invitation's timeline through the ORM session."""
    if kind != "p" or (db.session.registry.has() and db.session().in_transaction()):
        # A request inside an app context whose ORM session is already in a transaction (a test or script
        # that read through it) joins that transaction, as before: a second connection would wait for its lock.
        return db.session
    connection = g.get("journey_database")
    if connection is None:
        connection = g.journey_database = ConnectionSession(db.engine)
    return connection


def _resolve(kind: str, key: str, database=None, with_answers: bool = False) -> Respondent:
    database = database if database is not None else _database(kind)
    respondent = resolve(database, kind, key, with_answers)
    respondent.database = database
    return respondent


class Nav:
    """The URLs of a respondent's journey."""

    back_when_first = None

    def __init__(self, kind: str, key: str):
        self.kind, self.key = kind, key
        # A public link's pages are the same for everyone who opens it: those that carry no answers and no
        # errors may come from a pre-rendered shell (templating.render_shell). A personal link's URLs are its own.
        self.shell_key = ("p", key) if kind == "p" else None

    def _url(self, endpoint: str, page_name: str | None = None, change: bool = False) -> str:
        # A public link's URLs are kept per process; a personal link's token is not kept past its request.
        build = _journey_url if self.kind == "p" else _journey_url.__wrapped__
        return build(request.script_root, endpoint, self.kind, self.key, page_name, change)

    def start(self) -> str:
        return self._url("respond.start")

    def begin(self) -> str:
        return self._url("respond.begin")

    def page(self, name: str, change: bool = False) -> str:
        if name == flow.CHECK_PAGE:
            return self.check()
        return self._url("respond.page", name, change)

    def check(self) -> str:
        return self._url("respond.check")

    def submit(self) -> str:
        return self._url("respond.submit")

    def done(self) -> str:
        return self._url("respond.done")

    def language(self) -> str:
        return self._url("respond.language")


@functools.lru_cache(maxsize=4096)
def _journey_url(script_root: str, endpoint: str, kind: str, key: str, page_name: str | None, change: bool) -> str:
    """A journey URL. It depends on nothing else (no URL defaults or processors on these routes), so a public
    link's are built once per process: url_for costs about 15 µs a call, and a journey makes a dozen calls."""
    values: dict[str, object] = {"kind": kind, "key": key}
    if page_name is not None:
        values["page_name"] = page_name
    if change:
        values["change"] = 1
    return url_for(endpoint, **values)


def _gate(respondent: Respondent):
    """The page to show instead of the journey when it cannot go on, or None."""
    if respondent.response is not None and respondent.response.status == ResponseStatus.COMPLETED:
        return render(
            respondent.database,
            "respond/completed.html",
            title=lazy_gettext("You have already completed this survey"),
            survey=respondent.survey,
            **language_context(respondent.questionnaire, None),
        )
    state = survey_state(respondent.survey, current_version_id=respondent.current_version_id)
    if state != "open":
        # a response already started has a language (and a version); a first visit is in English
        language = language_context(respondent.questionnaire, None) if respondent.response is not None else {}
        return render(
            respondent.database,
            "respond/closed.html",
            title=lazy_gettext("This survey is closed")
            if state == "closed"
            else lazy_gettext("This survey is not open yet"),
            survey=respondent.survey,
            state=state,
            **language,
        )
    return None


def _journey(respondent: Respondent) -> Journey:
    invitation = respondent.invitation

    def on_complete(session):
        if invitation is not None:
            invitation.completed_at = utcnow()
            record_event(session, invitation, "completed")

    return Journey(
        respondent.database,
        respondent.response,
        respondent.questionnaire,
        Nav(respondent.kind, respondent.key),
        RESPONDENT,
        title=respondent.survey.title,
        on_complete=on_complete,
        contact_attributes=functools.partial(contact_attributes, respondent.database, respondent),
        answer_rows=respondent.answer_rows,
    )


def _contact_only(respondent: Respondent) -> dict:
    """No answers yet, only the contact's attributes (for the first page and the number of sections)."""
    return piping.with_contact({}, contact_attributes(respondent.database, respondent))


def _entered(kind, key, completed_too: bool = False):
    """(journey, None) for a response in progress on an open survey, else (None, what to answer instead).

    `completed_too`: a completed response enters as well (submit sends it to the completion page).
    """
    respondent = _resolve(kind, key, with_answers=True)
    if completed_too and respondent.response is not None and respondent.response.status == ResponseStatus.COMPLETED:
        return _journey(respondent), None
    blocked = _gate(respondent)
    if blocked is not None:
        return None, blocked
    if respondent.response is None:
        return None, redirect(Nav(kind, key).start())
    return _journey(respondent), None


@bp.get(f"/{KIND}")
def start(kind, key):
    respondent = _resolve(kind, key)
    note_link_opened(respondent.database, respondent)
    blocked = _gate(respondent)
    if blocked is not None:
        return blocked
    nav = Nav(kind, key)
    if respondent.response is not None:  # resume where they left off, in the language chosen then
        return redirect(nav.page(respondent.response.current_page or flow.CHECK_PAGE))
    respondent.choose_language(respondent.database, request.args.get("lang"))
    questionnaire = respondent.questionnaire
    sections = len(flow.section_names(questionnaire, _contact_only(respondent)))
    return render(
        respondent.database,
        "respond/start.html",
        shell=(questionnaire, ("start", *nav.shell_key, sections, respondent.language)) if nav.shell_key else None,
        title=questionnaire.title,
        questionnaire=questionnaire,
        nav=nav,
        sections=sections,
        text=survey_text(questionnaire),
        start_language=respondent.language,
        **language_context(questionnaire, nav.language()),
    )


@bp.post(f"/{KIND}/start")
def begin(kind, key):
    require_button()
    respondent = _resolve(kind, key)
    blocked = _gate(respondent)
    if blocked is not None:
        return blocked
    respondent.choose_language(respondent.database, request.form.get("lang"))
    first_page = flow.first_page_name(respondent.questionnaire, _contact_only(respondent))
    with write_transaction(respondent.database):
        response = start_response(respondent.database, respondent, first_page)
    return redirect(Nav(kind, key).page(response.current_page or flow.CHECK_PAGE))


@bp.post(f"/{KIND}/language")
def language(kind, key):
    """The language switcher: store the language on the response (answers are kept: they are stored by
    code) and go back to the page it was on. Before the response starts, back to the start page in it."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    respondent = _resolve(kind, key)
    nav = Nav(kind, key)
    chosen = respondent.offered_language(form.lang.data)
    response = respondent.response
    if response is None:
        return redirect(nav.start() + (f"?lang={chosen}" if chosen else ""), code=303)
    if chosen is not None and chosen != response.language:
        with write_transaction(respondent.database):
            set_language(respondent.database, response, chosen)
    questionnaire = respondent.questionnaire
    back_to = {nav.page(page.name): nav.page(page.name) for page in questionnaire.pages}
    back_to.update({nav.check(): nav.check(), nav.done(): nav.done()})
    # from a question page the switcher submits the page's form: back_to is in the query string
    wanted = form.back_to.data or request.args.get("back_to", "")
    target = back_to.get(wanted)
    typed_on = {nav.page(page.name): page.name for page in questionnaire.pages}.get(wanted)
    if typed_on is not None and "_shown" in request.form and response.status != ResponseStatus.COMPLETED:
        # the page again in the chosen language with what was typed on it, not saved until Continue
        journey, early = _entered(kind, key)
        return early if early is not None else journey.page_as_typed(typed_on, request.form)
    if target is None:
        target = (
            nav.done()
            if response.status == ResponseStatus.COMPLETED
            else nav.page(response.current_page or flow.CHECK_PAGE)
        )
    return redirect(target, code=303)


@bp.route(f"/{KIND}/page/<page_name>", methods=["GET", "POST"])
def page(kind, key, page_name):
    journey, early = _entered(kind, key)
    if early is not None:
        return early
    return journey.page(
        page_name, request.args.get("change") == "1", request.form if request.method == "POST" else None
    )


@bp.get(f"/{KIND}/check")
def check(kind, key):
    journey, early = _entered(kind, key)
    return early if early is not None else journey.check()


@bp.post(f"/{KIND}/submit")
def submit(kind, key):
    journey, early = _entered(kind, key, completed_too=True)
    return early if early is not None else journey.submit()


def _copy_offer(respondent: Respondent, form: AnswersCopyForm | None = None) -> dict:
    """What the thank-you page says about who has the answers, and the copy form if the survey offers one."""
    questionnaire, response = respondent.questionnaire, respondent.response
    offered = bool(questionnaire.setting("answers_copy"))
    own_address = _invitee_address(respondent)
    text = survey_text(questionnaire)
    return {
        "organisation": text.run_by,
        "thank_you": text.thank_you,
        "reference": copy_reference(response),
        "copy_offered": offered and (respondent.kind == "p" or own_address is not None),
        "copy_sent": response.copy_sent_at is not None,
        "copy_needs_address": respondent.kind == "p",
        # the form is shown only while a copy can still be asked for (a form costs its CSRF work)
        "copy_form": form or (AnswersCopyForm() if offered and response.copy_sent_at is None else None),
        "copy_action": url_for("respond.copy", kind=respondent.kind, key=respondent.key),
    }


def _invitee_address(respondent: Respondent) -> str | None:
    invitation = respondent.invitation
    if invitation is None or invitation.contact is None or invitation.contact.erased_at is not None:
        return None
    return invitation.contact.email


def _completed(kind, key, database=None) -> Respondent | None:
    respondent = _resolve(kind, key, database)
    if respondent.response is not None and respondent.response.status == ResponseStatus.COMPLETED:
        return respondent
    return None


@bp.get(f"/{KIND}/done")
def done(kind, key):
    respondent = _completed(kind, key)
    if respondent is None:
        return redirect(Nav(kind, key).start())
    offer = _copy_offer(respondent)
    shell_key = ("done", respondent.kind, respondent.key, respondent.survey.title, *(offer[k] for k in _OFFER_FLAGS))
    return _journey(respondent).done(
        shell=shell_key if respondent.kind == "p" else None, fills={"reference": offer.pop("reference")}, **offer
    )


# What the thank-you page shows of _copy_offer() besides the reference (the rest comes from the questionnaire).
_OFFER_FLAGS = ("copy_offered", "copy_sent", "copy_needs_address")


@bp.post(f"/{KIND}/copy")
def copy(kind, key):
    """Email me a copy of my answers: once per response, to the invitee's address or one typed in (public links)."""
    respondent = _completed(kind, key, db.session)  # the copy is queued through the ORM (the outbox)
    if respondent is None:
        return redirect(Nav(kind, key).start())
    journey = _journey(respondent)
    if not respondent.questionnaire.setting("answers_copy"):
        abort(404)
    use_interface_language(respondent.questionnaire.language)  # the copy's fixed words, in the page's language
    form = AnswersCopyForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return journey.done(errors=_form_errors(form), **_copy_offer(respondent, form))
    if kind == "p":
        address = (form.email.data or "").strip()
        if not address:
            form.email.errors = [lazy_gettext("Enter your email address to get a copy of your answers")]
            return journey.done(errors=_form_errors(form), **_copy_offer(respondent, form))
    else:
        address = _invitee_address(respondent)
        if address is None:
            abort(404)
    sections = [
        AnsweredSection(page.title or respondent.questionnaire.title, [(q.label, translate(text)) for q, text in rows])
        for page, rows in flow.piped_summary_rows(respondent.questionnaire, journey.answers)
    ]
    try:
        with write_transaction(db.session):
            queue_answers_copy(
                db.session,
                respondent.survey,
                respondent.response,
                address,
                sections,
                organisation=organisation_named(respondent.questionnaire.setting("organisation")),
                public=kind == "p",
            )
    except CopyRefused as exc:
        form.email.errors = [LazyString(translate, exc.args[0])]  # translated once the page's language is known
        return journey.done(errors=_form_errors(form), **_copy_offer(respondent, form)), 429
    return redirect(Nav(kind, key).done() + "#copy", code=303)


def _form_errors(form: AnswersCopyForm) -> list[dict]:
    return [{"text": message, "href": "#email"} for message in form.email.errors]

"""Blueprint: the opt-out page behind every email's link, and RFC 8058 one-click unsubscribe.

Mail scanners fetch every link in a message, so GET never changes anything: the
page shows a button, and the POST (with a CSRF token) opts out. Mailbox
providers' one-click unsubscribe POSTs `List-Unsubscribe=One-Click` to a
separate URL without a CSRF token: the unguessable token in the URL is the key,
and that view alone is exempt from CSRF.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext

from ..auth.throttle import refuse_unknown_link
from ..extensions import csrf, db
from ..i18n import SOURCE_LANGUAGE, use_interface_language
from ..journey.languages import PageLanguage
from ..questionnaires.languages import CONTACT_ATTRIBUTE, default_direction, own_name
from ..services.invitations import find_invitation_by_token
from .forms import OneClickUnsubscribeForm, OptOutForm
from .optout import opt_out

bp = Blueprint("optout", __name__)


def _invitation_or_404(token: str):
    """The live invitation, or (counted by the link-guess throttle, like any URL with a token) 404 or 429."""
    invitation = find_invitation_by_token(db.session, token)
    if invitation is None:
        refuse_unknown_link(db.session, request.remote_addr or "unknown")
    return invitation


def _page_language(invitation) -> dict:
    """The opt-out page speaks the contact's language (their `language` attribute) where the product has an
    interface catalogue for it; otherwise English."""
    wanted = invitation.contact.attribute_map().get(CONTACT_ATTRIBUTE)
    locale = use_interface_language(wanted)
    if locale == SOURCE_LANGUAGE:
        return {}
    return {"page_language": PageLanguage(locale, own_name(locale), default_direction(locale))}


@bp.route("/s/<token>/opt-out", methods=["GET", "POST"])
def page(token):
    invitation = _invitation_or_404(token)
    language = _page_language(invitation)
    form = OptOutForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        everywhere = form.scope.data == "all"
        opt_out(db.session, invitation, everywhere=everywhere)
        db.session.commit()
        return render_template(
            "optout/done.html",
            title=gettext("You have opted out"),
            survey=invitation.survey,
            everywhere=everywhere,
            **language,
        )
    already = invitation.opted_out_at is not None
    return render_template(
        "optout/confirm.html",
        token=token,
        title=gettext("Opt out of emails"),
        survey=invitation.survey,
        already=already,
        everywhere=invitation.contact.opted_out_at is not None,
        **language,
    )


@bp.route("/s/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt
def one_click(token):
    invitation = _invitation_or_404(token)
    form = OneClickUnsubscribeForm()
    if request.method == "GET":
        # A person following the List-Unsubscribe link in a browser gets the page with a button, whose form
        # posts to the opt-out page (with a CSRF token), not back here.
        return page(token)
    if not form.validate():
        abort(400)
    opt_out(db.session, invitation)
    db.session.commit()
    return "You have been unsubscribed from this survey's emails.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

"""Your account: the signed-in person's interface language and own API tokens, each of which they can revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ..audit import record_audit
from ..extensions import db
from ..i18n import INTERFACE_LANGUAGE_NAMES, use_staff_interface_language
from ..models import ROLES
from ..services.tokens import tokens_of
from . import bp
from .access import roles_required
from .forms import InterfaceLanguageForm, RevokeTokenForm
from .token_revocation import revoke_from_form


def _page(language_form: InterfaceLanguageForm, status: int = 200):
    errors = [{"text": message, "href": "#language"} for message in language_form.language.errors]
    page = render_template(
        "auth/account.html",
        title=gettext("Your account"),
        tokens=tokens_of(db.session, current_user),
        revoke_url=url_for("auth.account_token_revoke"),
        form=RevokeTokenForm(),
        language_form=language_form,
        languages=INTERFACE_LANGUAGE_NAMES,
        chosen_language=language_form.language.data or current_user.interface_language,
        errors=errors,
    )
    return page, status


@bp.get("/account")
@roles_required(*ROLES)
def account():
    return _page(InterfaceLanguageForm(formdata=None))


@bp.post("/account/language")
@roles_required(*ROLES)
def account_language():
    form = InterfaceLanguageForm()
    if not form.validate_on_submit():  # CSRFProtect has refused a missing or forged token already
        return _page(form, 400)
    language = form.language.data
    if current_user.interface_language != language:
        previous = current_user.interface_language or "browser"
        current_user.interface_language = language
        record_audit(
            db.session, "interface_language_changed", target=current_user.email, detail=f"{previous} → {language}"
        )
        db.session.commit()
    use_staff_interface_language(language)  # the confirmation below is in the newly chosen language
    flash(gettext("Language changed to %(language)s.", language=INTERFACE_LANGUAGE_NAMES[language]), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/revoke")
@roles_required(*ROLES)
def account_token_revoke():
    revoke_from_form(current_user)
    return redirect(url_for("auth.account"))

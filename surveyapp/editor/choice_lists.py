"""The editor's shared lists of answers (services/choice_lists.py): the list of lists, adding one, editing one
list's answers once for every question that uses it (with the warning before dropping a code that answers
use), deleting an unused one, and a question's choice between a shared list and its own answers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext

from ..auth.access import roles_required
from ..extensions import db
from ..services import choice_lists, drafts, editing
from . import bp
from .common import EDITORS, form_errors, save, survey_for
from .forms import ChoiceListDeleteForm, ChoiceListForm, ChoiceListUseForm


def _codes_in_use(survey, definition: dict, list_name: str) -> set[str]:
    """The codes the answers of every question using the list point at (in any version of the survey)."""
    codes: set[str] = set()
    for question in choice_lists.users(definition, list_name):
        codes |= drafts.codes_in_use(db.session, survey, question.get("name"))
    return codes


def _warning(form, dropped: list[str]) -> bool:
    """True (and the message beside the box) when codes answers use would go and the box is not ticked."""
    if not dropped or form.confirm_codes.data:
        return False
    form.confirm_codes.errors = [
        f"Answers already use the code{'s' if len(dropped) > 1 else ''} {', '.join(dropped)}, which the "
        "answers below no longer have: results would count the old and the new code apart. "
        "Keep the codes, or tick to confirm"
    ]
    return True


def _list_problems(draft: dict, list_name: str) -> list[str]:
    where = f"choice list '{list_name}'"
    return [p.message for p in editing.draft_problems(draft).all if p.where == where]


@bp.route("/surveys/<slug>/editor/choice-lists", methods=["GET", "POST"])
@roles_required(*EDITORS)
def choice_lists_page(slug):
    """The draft's shared lists with the questions using each; the POST adds a list."""
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    form = ChoiceListForm()
    if form.validate_on_submit():
        if not form.title.data:
            form.title.errors = [gettext("Enter a name for the list")]
        else:
            name = choice_lists.add_list(draft, form.title.data, editing.parse_choice_lines(form.choices.data))
            save(survey, draft, gettext("Shared list “%(name)s” added: questions can now use it.", name=name))
            return redirect(url_for("editor.choice_list_edit", slug=survey.slug, list_name=name))
    rows = [
        {"name": name, "choices": choices, "users": choice_lists.users(draft, name)}
        for name, choices in choice_lists.lists(draft).items()
    ]
    return render_template(
        "editor/choice_lists.html",
        title=gettext("Shared lists of answers in %(title)s", title=survey.title),
        survey=survey,
        rows=rows,
        form=form,
        errors=form_errors(form),
    ), 400 if form.errors else 200


@bp.route("/surveys/<slug>/editor/choice-lists/<list_name>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def choice_list_edit(slug, list_name):
    """One shared list's answers, edited once for every question that uses it."""
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    if list_name not in choice_lists.lists(draft):
        abort(404)
    form = ChoiceListForm(data={"choices": editing.choice_lines(choice_lists.lists(draft)[list_name])})
    warned = False
    if form.validate_on_submit():
        choices = editing.parse_choice_lines(form.choices.data)
        warned = _warning(form, drafts.dropped_codes(choices, _codes_in_use(survey, draft, list_name)))
        if not warned:
            choice_lists.set_choices(draft, list_name, choices)
            save(survey, draft, gettext("Shared list “%(name)s” saved.", name=list_name))
            return redirect(url_for("editor.choice_list_edit", slug=survey.slug, list_name=list_name))
    return render_template(
        "editor/choice_list.html",
        title=gettext("Shared list %(name)s", name=list_name),
        survey=survey,
        list_name=list_name,
        users=choice_lists.users(draft, list_name),
        problems=_list_problems(draft, list_name),
        form=form,
        warned=warned,
        delete_form=ChoiceListDeleteForm(formdata=None),
        errors=form_errors(form),
    ), 400 if form.errors else 200


@bp.post("/surveys/<slug>/editor/choice-lists/<list_name>/delete")
@roles_required(*EDITORS)
def choice_list_delete(slug, list_name):
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    if not ChoiceListDeleteForm().validate_on_submit():
        abort(400)
    if list_name not in choice_lists.lists(draft):  # deleted already (a second click, another editor)
        flash(gettext("There is no shared list “%(name)s” any more.", name=list_name), "success")
        return redirect(url_for("editor.choice_lists_page", slug=survey.slug))
    try:
        choice_lists.delete_list(draft, list_name)
    except editing.EditError as exc:
        flash(str(exc), "error")
        return redirect(url_for("editor.choice_list_edit", slug=survey.slug, list_name=list_name))
    save(survey, draft, gettext("Shared list “%(name)s” deleted.", name=list_name))
    return redirect(url_for("editor.choice_lists_page", slug=survey.slug))


@bp.post("/surveys/<slug>/editor/questions/<question_name>/choice-list")
@roles_required(*EDITORS)
def question_choice_list(slug, question_name):
    """A question's answers: from a shared list ("use"), its own copy ("own"), or its answers shared ("share")."""
    survey = survey_for(slug)
    draft = drafts.draft_of(survey)
    try:
        page, index = editing.find_question(draft, question_name)
    except editing.EditError:
        abort(404)
    question = page["questions"][index]
    back = redirect(url_for("editor.question_edit", slug=survey.slug, question_name=question_name) + "#choices")
    form = ChoiceListUseForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for message in (m for messages in form.errors.values() for m in messages):
            flash(message, "error")
        return back
    try:
        if form.action.data == "use":
            shared = choice_lists.lists(draft).get(form.list_name.data or "")
            if shared is None:
                raise editing.EditError("Choose one of the shared lists.")
            dropped = drafts.dropped_codes(shared, drafts.codes_in_use(db.session, survey, question_name))
            if dropped and not form.confirm_codes.data:
                raise editing.EditError(
                    f"Answers already use the code{'s' if len(dropped) > 1 else ''} {', '.join(dropped)}, which the "
                    f"list “{form.list_name.data}” does not have: results would count the old and the new code "
                    "apart. Tick to confirm, or choose another list."
                )
            choice_lists.use_list(draft, question_name, form.list_name.data)
            message = gettext("The question now uses the shared list “%(name)s”.", name=form.list_name.data)
        elif form.action.data == "own":
            choice_lists.own_copy(draft, question_name)
            message = gettext("The question now has its own copy of the answers: changes to the shared list leave it.")
        else:
            name = choice_lists.share(draft, question_name, form.title.data or question.get("label") or question_name)
            message = gettext(
                "The question's answers are now the shared list “%(name)s”: other questions can use it.", name=name
            )
    except editing.EditError as exc:
        flash(str(exc), "error")
        return back
    save(survey, draft, message)
    return back

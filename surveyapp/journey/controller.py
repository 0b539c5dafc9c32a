"""The one journey controller: question pages, check your answers, submit and completion.

Respondents (respond/) and volunteers (interviews/) use the same steps. A blueprint
decides who may enter and finds the response, and gives the controller its URLs (a
Nav: page(name, change), check(), submit(), done(), back_when_first) and its Wording.
Everything else happens here, once.

Transactions: a request reads in a read transaction (deferred on SQLite: no write
lock); each write runs in database.write_transaction(), which takes the write lock
only for the writes and commits before anything renders. Templates render after the
transaction has ended, from the objects already loaded (nothing is read twice).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import abort, get_template_attribute, redirect, render_template
from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm import Session

from ..database import commit_keeping, write_transaction
from ..i18n import translate
from ..models import Response
from ..models.enums import ResponseStatus
from ..questionnaires import piping, runtime
from ..questionnaires.definition import Page, Questionnaire
from ..templating import render_shell
from . import flow
from .conditions import answers_for_browser, page_blocks
from .forms import require_button
from .languages import language_context


@dataclass(frozen=True)
class Wording:
    """What differs between a respondent's pages and an interviewer's."""

    check_title: str
    send_heading: str
    send_text: str
    submit_button: str
    revealed_notice: str
    save_note: str
    done_template: str
    done_title: str
    drafts: bool = False  # a "Save draft" button that saves the page as typed, valid or not


# Lazy: each is translated when the page renders, in the page's interface language (surveyapp/i18n.py).
RESPONDENT = Wording(
    check_title=lazy_gettext("Check your answers before submitting"),
    send_heading=lazy_gettext("Now send your answers"),
    send_text=lazy_gettext("When you submit, you cannot change your answers."),
    submit_button=lazy_gettext("Submit answers"),
    revealed_notice=lazy_gettext("More questions have been added to this page because of your answers."),
    save_note=lazy_gettext(
        "Your answers are saved each time you continue. You can close this page and come back to it with the same link."
    ),
    done_template="respond/done.html",
    done_title=lazy_gettext("Thank you: your answers have been sent"),
)

INTERVIEWER = Wording(
    check_title=lazy_gettext("Check the person’s answers before submitting"),
    send_heading=lazy_gettext("Now submit the interview"),
    send_text=lazy_gettext("When you submit, the answers cannot be changed."),
    submit_button=lazy_gettext("Submit interview"),
    revealed_notice=lazy_gettext("More questions have been added to this page because of the answers."),
    save_note=lazy_gettext(
        "The answers are saved each time you continue. You can stop and resume this interview "
        "later from your list of interviews."
    ),
    done_template="interviews/done.html",
    done_title=lazy_gettext("Interview submitted"),
    drafts=True,
)

DRAFT_ACTION = "draft"


def render(session: Session, template: str, shell=None, fills=None, **context):
    """End the request's transaction (keeping what it loaded), then render.

    `shell` (owner, key): the page's context is fully determined by the owner (a cached questionnaire) and
    the key, so it may come from a pre-rendered shell (templating.render_shell) with the CSRF token, the
    nonce and `fills` put in."""
    commit_keeping(session)
    if shell is not None:
        return render_shell(*shell, template, fills, **context)
    return render_template(template, **context, **(fills or {}))


class Journey:
    """One response's way through its questionnaire, for the blueprint that let the person in.

    `on_page_values(page, values)`: a blueprint's say before a page is saved (interviews: consent
    refused); a response to return instead, or None. `on_complete(session)`: what else the winning
    submit writes in its transaction (respondents: the invitation's timeline).
    """

    def __init__(
        self,
        session: Session,
        response: Response,
        questionnaire: Questionnaire,
        nav,
        wording: Wording,
        *,
        title: str,
        caption: str | None = None,
        on_page_values: Callable[[Page, dict], object | None] | None = None,
        on_complete: Callable[[Session], None] | None = None,
        already_completed: Callable[[], object] | None = None,
        contact_attributes: Callable[[], Mapping[str, str]] | None = None,
        answer_rows: list | None = None,
    ):
        self.session, self.response, self.questionnaire = session, response, questionnaire
        self.nav, self.wording, self.title, self.caption = nav, wording, title, caption
        self.on_page_values, self.on_complete = on_page_values, on_complete
        self._already_completed = already_completed
        self._answers: runtime.Answers | None = None
        #: the stored answers when the blueprint's lookup read them already (else they are read when needed)
        self._answer_rows = answer_rows
        #: the contact's attributes that conditions and piped text use, read with the answers (none: all empty)
        self._contact_attributes = contact_attributes

    def _language(self) -> dict:
        """`<html lang dir>` of the questionnaire's language, and the switcher where the nav has one."""
        switch = getattr(self.nav, "language", None)
        return language_context(self.questionnaire, switch() if switch is not None else None)

    @property
    def answers(self) -> runtime.Answers:
        if self._answers is None:
            if self._answer_rows is not None:
                self._answers = flow.answers_from_rows(self._answer_rows, self.questionnaire)
            else:
                self._answers = flow.load_answers(self.session, self.response, self.questionnaire)
            if self._contact_attributes is not None:
                self._answers = piping.with_contact(self._answers, self._contact_attributes())
        return self._answers

    # -- question pages ---------------------------------------------------------------------------

    def page(self, page_name: str, changing: bool, form=None):
        """GET (form None) shows the page; POST validates it, saves and moves on (or shows the errors)."""
        try:
            page_def = self.questionnaire.page(page_name)
        except KeyError:
            abort(404)
        answers = self.answers
        if page_name not in flow.page_names(self.questionnaire, answers):
            return redirect(self.nav.page(flow.next_page_name(self.questionnaire, answers, page_name)))
        if form is None:
            return self.render_page(page_def, answers, changing)

        shown = set(form.getlist("_shown"))
        result = runtime.parse_page(page_def, form, answers)
        if self.wording.drafts and form.get("action") == DRAFT_ACTION:
            return self._save_draft(page_def, changing, result)
        typed = {**answers, **result.values}
        visible_now = [q.name for q in runtime.visible_questions(page_def, typed) if not q.is_note]
        unseen = [n for n in visible_now if n not in shown]
        errors = [e for e in result.errors if e.name in shown]
        if errors:
            return self.render_page(page_def, typed, changing, errors=errors, raw=result.raw)
        if self.on_page_values is not None:
            early = self.on_page_values(page_def, result.values)
            if early is not None:
                return early

        def target_for(saved: runtime.Answers) -> str:
            if unseen:  # answers on this page revealed more questions: show them before moving on
                return page_name
            return flow.CHECK_PAGE if changing else flow.next_page_name(self.questionnaire, saved, page_name)

        with write_transaction(self.session):
            saved = flow.save_page(
                self.session,
                self.response,
                self.questionnaire,
                answers,
                result.values,
                [q.name for q in page_def.questions],
                target_for,
            )
        if saved is None:  # completed in another tab meanwhile
            return self.already_completed()
        self._answers, target = saved
        if unseen:
            return self.render_page(page_def, self._answers, changing, notice=self.wording.revealed_notice)
        return redirect(self.nav.page(target))

    def page_as_typed(self, page_name: str, form):
        """The page with what was typed on it and not sent, without errors and not saved (the language
        switcher on a question page submits the page's form, so nothing typed is lost)."""
        answers = self.answers
        if page_name not in flow.page_names(self.questionnaire, answers):
            return redirect(self.nav.page(flow.next_page_name(self.questionnaire, answers, page_name)))
        page_def = self.questionnaire.page(page_name)
        result = runtime.parse_page(page_def, form, answers)
        typed = {**answers, **{k: v for k, v in result.values.items() if v is not None}}
        return self.render_page(page_def, typed, False, raw=result.raw)

    def _save_draft(self, page_def: Page, changing: bool, result: runtime.PageResult):
        """Save what was typed on the page, valid or not, stay on it, and say what still needs an answer.

        A value that is not valid (a number out of range, say) cannot be stored as its type, so the
        answer stored before stays and the page says so; everything else is saved as it stands.
        """
        invalid = {e.name for e in result.errors if result.raw.get(e.name) not in (None, "", [], {})}
        values = {k: v for k, v in result.values.items() if k not in invalid}
        early = self.on_page_values(page_def, values) if self.on_page_values is not None else None
        if early is not None:
            return early
        replaced = [q.name for q in page_def.questions if q.name not in invalid]
        with write_transaction(self.session):
            saved = flow.save_page(
                self.session, self.response, self.questionnaire, self.answers, values, replaced, lambda _: page_def.name
            )
        if saved is None:
            return self.already_completed()
        self._answers = saved[0]
        still = [e.message for e in result.errors]
        return self.render_page(
            page_def,
            {**self._answers, **{k: v for k, v in result.values.items() if v is not None}},
            changing,
            raw=result.raw,
            notice=gettext("Draft saved.") if still else gettext("Draft saved. Everything on this page has an answer."),
            still_needed=still,
        )

    def render_page(
        self,
        page_def: Page,
        answers: runtime.Answers,
        changing: bool,
        errors: list[runtime.FieldError] | None = None,
        raw: dict | None = None,
        notice: str | None = None,
        still_needed: list[str] | None = None,
    ):
        """The page with its visible questions, errors (linked to their fields) and what was typed."""
        questionnaire = self.questionnaire
        previous = flow.CHECK_PAGE if changing else flow.previous_page_name(questionnaire, answers, page_def.name)
        sections = flow.section_names(questionnaire, answers)
        language = self._language()  # first: it sets the interface language the errors are translated into
        shown = piping.piped_page(page_def, questionnaire, answers)  # itself unless it shows earlier answers
        shell_key = getattr(self.nav, "shell_key", None)
        blank = not (answers or errors or raw or notice or still_needed or self.caption)
        return render(
            self.session,
            "respond/page.html",
            shell=(questionnaire, (*shell_key, page_def.name, changing, self.wording.done_template))
            if shell_key and blank
            else None,
            title=shown.title or questionnaire.title,
            questionnaire=questionnaire,
            page=shown,
            blocks=page_blocks(shown, answers),
            condition_answers=answers_for_browser(page_def, answers),
            answers=answers,
            raw=raw or {},
            field_errors={e.name: translate(e.message) for e in (errors or [])},
            errors=[{"text": translate(e.message), "href": f"#{e.field_id}"} for e in (errors or [])],
            back_url=self.nav.page(previous) if previous else self.nav.back_when_first,
            nav=self.nav,
            wording=self.wording,
            caption=self.caption,
            action=self.nav.page(page_def.name, change=changing),
            notice=notice,
            still_needed=still_needed or [],
            progress=(sections.index(page_def.name) + 1, len(sections))
            if page_def.name in sections and len(sections) > 1
            else None,
            **language,
        )

    # -- check your answers, submit, completion ---------------------------------------------------

    def check(self):
        answers = self.answers
        previous = flow.previous_page_name(self.questionnaire, answers, flow.CHECK_PAGE)
        back_url = self.nav.page(previous) if previous else None
        language = self._language()  # first: it sets the interface language the summary is written in
        # The answers are the only part of the page that is this response's own: the rest may be a shell.
        summary = get_template_attribute("respond/_summary.html", "summary")(
            flow.piped_summary_rows(self.questionnaire, answers), self.nav, language["ui_lang_attributes"]
        )
        shell_key = getattr(self.nav, "shell_key", None)
        return render(
            self.session,
            "respond/check.html",
            shell=(self.questionnaire, (*shell_key, back_url, self.wording.done_template))
            if shell_key and not self.caption
            else None,
            fills={"summary_html": summary},
            title=self.wording.check_title,
            questionnaire=self.questionnaire,
            nav=self.nav,
            wording=self.wording,
            caption=self.caption,
            back_url=back_url,
            **language,
        )

    def submit(self):
        """Complete the response once; a missing required answer shows its page with the errors.

        Whether this submit won or another one (double click, second tab) got there first, the
        person is sent to the completion page: the answers are in either way. So is a submit that
        arrives after completion (a double click, the back button).
        """
        require_button()
        if self.response.status == ResponseStatus.COMPLETED:
            return redirect(self.nav.done(), code=303)
        answers = self.answers
        incomplete = flow.first_incomplete_page(self.questionnaire, answers)
        if incomplete is not None:
            page_name, errors = incomplete
            with write_transaction(self.session):
                flow.set_current_page(self.session, self.response, page_name)
            return self.render_page(self.questionnaire.page(page_name), answers, False, errors=errors)
        with write_transaction(self.session):
            won = flow.mark_completed(self.session, self.response)
            if won and self.on_complete is not None:
                self.on_complete(self.session)
        return redirect(self.nav.done(), code=303)

    def done(self, shell: tuple | None = None, fills: dict | None = None, **extra):
        """The completion page: it can be reloaded and revisited. `extra`: the blueprint's own context;
        `shell`: a key when that context, but for `fills`, is all the page depends on (see render())."""
        if self.response.status != ResponseStatus.COMPLETED:
            return redirect(self.nav.page(self.response.current_page or flow.CHECK_PAGE))
        context = {"errors": [], **self._language(), **extra}
        return render(
            self.session,
            self.wording.done_template,
            shell=(self.questionnaire, shell) if shell is not None and not context["errors"] else None,
            fills=fills,
            title=self.wording.done_title,
            survey_title=self.questionnaire.title
            if self.questionnaire.original is not self.questionnaire
            else self.title,
            response=self.response,
            caption=self.caption,
            **context,
        )

    def already_completed(self):
        if self._already_completed is not None:
            return self._already_completed()
        return redirect(self.nav.done(), code=303)

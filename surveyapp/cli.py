"""Flask CLI groups: thin commands over the same plain functions the web pages call.

Imports services, models, the engine and mail only, never a blueprint or a view
(tests/test_services.py checks it in a fresh interpreter). Errors a user can cause
end with a plain message and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .audit import record_audit
from .extensions import db
from .models import SurveyStatus
from .questionnaires.loader import DefinitionError
from .questionnaires.xlsform_export import XLSFormExportError
from .services import fhir as fhir_service
from .services.invitations import invite
from .services.links import invitation_link
from .services.surveys import SurveyNotFound, get_survey, import_definition, import_outcome, list_surveys, set_status
from .services.xlsform import MAX_XLSFORM_BYTES, import_xlsform, looks_like_workbook, survey_version, version_xlsform

surveys_cli = AppGroup("surveys", help="Import, list, open and close surveys.")
invitations_cli = AppGroup("invitations", help="Invite people and print their personal links.")
users_cli = AppGroup("users", help="Accounts of admins, analysts and volunteers.")
contacts_cli = AppGroup("contacts", help="Import contacts from CSV, erase a contact's personal data.")
mail_cli = AppGroup("mail", help="Deliver the outbox over SMTP.")
tallies_cli = AppGroup("tallies", help="The dashboards' answer and invitation tallies: check them, count them again.")


def _survey_or_fail(slug: str):
    try:
        return get_survey(db.session, slug)
    except SurveyNotFound as exc:
        raise click.ClickException(str(exc)) from None


@surveys_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-unsupported",
    is_flag=True,
    help="XLSForm only: import what the product can serve and list what was left out.",
)
def surveys_import(file: Path, skip_unsupported: bool):
    """Create a survey from a definition FILE (YAML, JSON or an XLSForm .xlsx), or a new version of the
    survey with its slug."""
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_XLSFORM_BYTES + 1)
    except FileNotFoundError:
        raise click.ClickException(f"{file}: no such file") from None
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot be read ({exc.__class__.__name__})") from None
    converted = None
    try:
        if len(raw) > MAX_XLSFORM_BYTES:
            raise click.ClickException(f"{file}: the file is over {MAX_XLSFORM_BYTES // 1_000_000} MB")
        if looks_like_workbook(raw):
            imported = import_xlsform(db.session, raw, str(file), skip_unsupported=skip_unsupported)
            result, converted = imported.result, imported.converted
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise click.ClickException(
                    f"{file}: cannot be read as UTF-8 text ({exc.__class__.__name__}), nor as an .xlsx workbook"
                ) from None
            if skip_unsupported:
                click.echo("note: --skip-unsupported applies to XLSForm workbooks only", err=True)
            if file.suffix.lower() == ".json" and fhir_service.looks_like_fhir(text):
                result = fhir_service.import_questionnaire(db.session, text, str(file))
            else:
                result = import_definition(db.session, text, str(file))
    except (DefinitionError, fhir_service.FhirImportError) as exc:
        db.session.rollback()
        click.echo(f"{file}: {len(exc.problems)} problem(s), nothing was imported:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        if getattr(exc, "unsupported", 0):
            click.echo(
                f"{exc.unsupported} of them are parts the product cannot serve: --skip-unsupported imports "
                "the rest and lists what it left out.",
                err=True,
            )
        sys.exit(1)
    record_audit(
        db.session,
        "survey_imported",
        target=result.survey.slug,
        detail=f"version {result.version.number}" + (" from an XLSForm" if converted else ""),
        survey=result.survey,
    )
    db.session.commit()
    click.echo(import_outcome(result))
    if converted is not None:
        for line in converted.left_out:
            click.echo(f"left out: {line}")
        for line in converted.notices:
            click.echo(f"note: {line}")


@surveys_cli.command("export-xlsform")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "number", type=int, help="The version to export (default: the current one).")
def surveys_export_xlsform(slug: str, file: Path, number: int | None):
    """Write a survey's questionnaire to FILE as an XLSForm workbook (.xlsx)."""
    survey = _survey_or_fail(slug)
    version = survey_version(db.session, survey, number)
    if version is None:
        raise click.ClickException(f"{slug} has no version {number}" if number else f"{slug} has no questionnaire")
    try:
        data = version_xlsform(version)
    except XLSFormExportError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        file.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot be written ({exc.strerror})") from None
    click.echo(f"{slug} version {version.number} written to {file}")


@surveys_cli.command("export-fhir")
@click.argument("slug")
@click.option("--responses", is_flag=True, help="Export the responses (a Bundle of QuestionnaireResponse).")
@click.option("--in-progress", "in_progress", is_flag=True, help="With --responses: unfinished ones too.")
@click.option("--version", "version", type=click.IntRange(1, 2**31 - 1), help="A version number (default: current).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
def surveys_export_fhir(slug: str, responses: bool, in_progress: bool, version: int | None, output: Path | None):
    """Print a survey as a FHIR R4 Questionnaire, or with --responses its anonymous responses as a Bundle."""
    survey = _survey_or_fail(slug)
    if responses and version is not None:
        raise click.ClickException("--version is for the questionnaire: --responses exports every version's responses")
    try:
        resource = None if responses else fhir_service.questionnaire_resource(db.session, survey, version)
    except fhir_service.VersionNotFound as exc:
        raise click.ClickException(str(exc)) from None
    if responses:
        count = fhir_service.response_count(db.session, survey, in_progress)
        record_audit(db.session, "results.export", target="fhir-responses", survey=survey, count=count, detail="cli")
        db.session.commit()
        pieces = fhir_service.responses_bundle_json(db.session, survey, include_in_progress=in_progress)
    else:
        pieces = iter([fhir_service.to_json(resource)])
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8") as out:
            out.writelines(pieces)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot be written ({exc.strerror or exc})") from None
    click.echo(f"{output}: {'responses' if responses else 'questionnaire'} of {slug} written", err=True)


@surveys_cli.command("list")
def surveys_list():
    """One survey a line: slug, version, status, title."""
    for survey in list_surveys(db.session):
        version = survey.current_version.number if survey.current_version else "-"
        click.echo(f"{survey.slug}\tv{version}\t{survey.status}\t{survey.title}")


@surveys_cli.command("open")
@click.argument("slug")
def surveys_open(slug: str):
    """Open a survey to respondents."""
    survey = _survey_or_fail(slug)
    try:
        set_status(db.session, survey, SurveyStatus.OPEN)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "survey_opened", target=slug, survey=survey)
    db.session.commit()
    click.echo(f"{slug} is open")


@surveys_cli.command("close")
@click.argument("slug")
def surveys_close(slug: str):
    """Close a survey: links then show that it is closed."""
    survey = _survey_or_fail(slug)
    set_status(db.session, survey, SurveyStatus.CLOSED)
    record_audit(db.session, "survey_closed", target=slug, survey=survey)
    db.session.commit()
    click.echo(f"{slug} is closed")


@invitations_cli.command("create")
@click.argument("slug")
@click.option("--list", "list_name", help="Only contacts on this contact list.")
@click.option(
    "--where",
    "conditions",
    multiple=True,
    metavar="ATTR=VALUE",
    help="Only contacts with this attribute value (repeat: different attributes must all match, "
    "values of one attribute are alternatives).",
)
def invitations_create(slug: str, list_name: str | None, conditions: tuple[str, ...]):
    """Invite every matching contact not invited yet (or one made-up contact when there are none); print the links."""
    from .contacts.selection import SelectionError

    survey = _survey_or_fail(slug)
    try:
        invitations = invite(db.session, survey, list_name=list_name, where=conditions, make_up_contact_when_none=True)
    except SelectionError as exc:
        raise click.ClickException(str(exc)) from None
    links = [invitation_link(invitation) for invitation in invitations]
    db.session.commit()
    for link in links:
        click.echo(link)
    if not links:
        click.echo("Every matching contact is invited already.", err=True)


@invitations_cli.command("send")
@click.argument("slug")
def invitations_send(slug: str):
    """Queue the invitation email for every invitation not emailed yet (`mail send` delivers them)."""
    from .mail.outbox import queue_invitations

    survey = _survey_or_fail(slug)
    queued = _queue(queue_invitations, survey)
    click.echo(f"{queued} invitation email(s) queued for {slug}")


def _queue(queue_function, survey) -> int:
    """Run one of mail.outbox's queueing functions, commit, report what was not queued; the count queued."""
    from .mail.outbox import QueueError

    try:
        result = queue_function(db.session, survey)
    except QueueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    for problem in result.problems:
        click.echo(f"not queued: {problem}", err=True)
    return result.queued


@invitations_cli.command("remind")
@click.argument("slug")
def invitations_remind(slug: str):
    """Queue a reminder for every invitation not completed nor opted out, within the survey's limits."""
    from .mail.outbox import queue_reminders

    survey = _survey_or_fail(slug)
    queued = _queue(queue_reminders, survey)
    click.echo(
        f"{queued} reminder(s) queued for {slug} (at most {survey.reminder_max} per invitation, "
        f"{survey.reminder_interval_days} days apart)"
    )


@contacts_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--list", "list_name", help="Also put every contact of the file on this list (created if new).")
def contacts_import(file: Path, list_name: str | None):
    """Add or update contacts from a CSV FILE (an email column; a name column; other columns are attributes)."""
    from .contacts.importer import ImportFileError, import_contacts

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{file}: cannot be read ({exc.strerror or exc})") from None
    try:
        report = import_contacts(db.session, data, list_name)
    except ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file}: {exc}") from None
    record_audit(
        db.session, "contacts.import", target=file.name, count=report.created + report.updated, detail=report.summary()
    )
    db.session.commit()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(f"line {problem.line}: {problem.reason}")
    click.echo(report.summary())


@contacts_cli.command("erase")
@click.argument("email_or_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def contacts_erase(email_or_id: str, yes: bool):
    """Erase a contact's personal data (their anonymised responses stay counted)."""
    from .contacts.erasure import ContactNotFound, erase_contact, find_contact

    try:
        contact = find_contact(db.session, email_or_id)
    except ContactNotFound as exc:
        raise click.ClickException(str(exc)) from None
    if contact.erased_at is not None:
        click.echo(f"contact {contact.id} was erased already")
        return
    if not yes:
        click.confirm(f"Erase the personal data of contact {contact.id}? This cannot be undone", abort=True)
    erase_contact(db.session, contact)
    db.session.commit()
    click.echo(f"contact {contact.id} erased")


@mail_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep running: deliver new messages as they are queued.")
@click.option("--retry-now", is_flag=True, help="Also try the messages waiting out a retry delay.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between looks at the outbox (--watch).")
def mail_send(watch: bool, retry_now: bool, poll: float):
    """Deliver the queued emails (one pass, or a worker loop with --watch)."""
    from flask import current_app

    from .mail.outbox import retry_now as make_due
    from .mail.worker import Worker

    if retry_now:
        count = make_due(db.session)
        db.session.commit()
        click.echo(f"{count} message(s) waiting to retry are due now")
    worker = Worker()
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(
            "MAIL_SERVER is not set: messages are captured (marked sent) and shown in the admin pages, not delivered.",
            err=True,
        )
    if watch:
        click.echo(f"worker {worker.worker_id} watching the outbox (Ctrl-C or SIGTERM to stop)")
        worker.watch(poll_seconds=poll, on_pass=lambda stats: click.echo(stats.summary()))
        return
    stats = worker.run_pass()
    click.echo(stats.summary())


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "analyst", "volunteer"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, password_stdin: bool):
    """Create an account (password from a prompt, or --password-stdin)."""
    from .services.users import UserError, create_user

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        user = create_user(db.session, email, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "user_created", target=user.email, detail=f"role={user.role}")
    db.session.commit()
    click.echo(f"{user.email} ({user.role}) created")


@users_cli.command("token")
@click.argument("email")
@click.option("--days", type=click.IntRange(1, 366), default=90, show_default=True, help="Days until it expires.")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="read",
    show_default=True,
    help="read: GET requests only; write: every method the API offers.",
)
def users_token(email: str, days: int, scope: str):
    """Issue an API token for EMAIL (printed alone on the last line; only its hash is stored)."""
    from .services.tokens import TokenError, issue_token
    from .services.users import UserError, find_user

    try:
        user = find_user(db.session, email)
        token, row = issue_token(db.session, user, days=days, scope=scope)
    except (UserError, TokenError) as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(
        db.session,
        "api_token_issued",
        target=user.email,
        detail=f"token {row.id} ({scope}), expires {row.expires_at:%Y-%m-%d %H:%M} UTC",
    )
    db.session.commit()
    click.echo(f"Token {row.id} for {user.email}: {scope}, expires {row.expires_at:%Y-%m-%d %H:%M} UTC.")
    click.echo("API token (shown once; send it as 'Authorization: Bearer <token>', only to /api/):")
    click.echo(token)


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool):
    """Set a new password for EMAIL (ends the account's sessions)."""
    from .services.users import UserError, find_user, set_password

    try:
        user = find_user(db.session, email)
        password = (
            sys.stdin.readline().rstrip("\n")
            if password_stdin
            else click.prompt("New password", hide_input=True, confirmation_prompt=True)
        )
        set_password(db.session, user, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "password_set", target=user.email)
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their sessions have ended")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str):
    """Stop EMAIL signing in (the account is kept for the audit trail); ends its sessions, revokes its API tokens."""
    from .services.users import UserError, deactivate_user, find_user

    try:
        user = find_user(db.session, email)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    if deactivate_user(db.session, user):
        record_audit(db.session, "user_deactivated", target=user.email)
    db.session.commit()
    click.echo(f"{user.email} is deactivated")


@click.command("demo")
@click.option("--seed", default=2011, show_default=True, help="Random seed for repeatable demo data.")
@click.option("--reset", is_flag=True, help="Delete everything in the database first, then load the demo again.")
def demo_command(seed: int, reset: bool):
    """Load the example questionnaires with made-up people and answers; print the accounts and links."""
    from .demo import load_demo
    from .demo.first_round import demo_summary, load_reminder_round, reset_database

    if reset:
        if current_app.config["SURVEYAPP_ENV"] == "production":
            raise click.ClickException("demo --reset deletes every survey, answer and account: refused in production.")
        reset_database()
        click.echo("The database is empty again.")
    first = load_demo(db.session, seed=seed) != "The demo data is loaded already."
    load_reminder_round(db.session, seed=seed)
    db.session.commit()
    click.echo("Demo data loaded." if first else "The demo data is loaded already (--reset starts again).")
    click.echo(demo_summary(db.session))


@tallies_cli.command("rebuild")
def tallies_rebuild():
    """Count every answer tally again from the responses (after changing SURVEYAPP_TIMEZONE, or for repair),
    and every invitation tally from the invitations, responses and their timelines."""
    from .analysis import funnel_tallies, tallies

    rows = tallies.rebuild(db.session)
    invitation_rows = funnel_tallies.rebuild(db.session)
    db.session.commit()
    click.echo(f"{rows} tally rows counted from the completed responses")
    click.echo(f"{invitation_rows} invitation tally rows counted from the invitations, responses and events")


@tallies_cli.command("check")
def tallies_check():
    """Compare the tallies with a fresh GROUP BY over the responses; exit 1 if they differ."""
    from .analysis import funnel_tallies, tallies

    problems = []
    for name, module in (("answer", tallies), ("invitation", funnel_tallies)):
        stored, fresh = module.stored(db.session), module.fresh(db.session)
        wrong = {key for key in stored.keys() | fresh.keys() if stored.get(key) != fresh.get(key)}
        if wrong:
            problems.append(f"{len(wrong)} of {len(fresh)} {name} tally rows differ from a fresh count")
        else:
            click.echo(f"{len(fresh)} {name} tally rows, all equal to a fresh count")
    if problems:
        raise click.ClickException("; ".join(problems) + ": run `flask tallies rebuild`")


def register_cli(app: Flask) -> None:
    for group in (surveys_cli, invitations_cli, users_cli, contacts_cli, mail_cli, tallies_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)

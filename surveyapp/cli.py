"""Flask CLI groups: thin commands over the same plain functions the web pages call.

Errors a user can cause end with a plain message and exit code 1, never a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .admin.surveys import SurveyNotFound, get_survey, import_definition, list_surveys, set_status
from .audit import record_audit
from .extensions import db
from .invitations.service import create_invitation, invitation_link, make_up_contact
from .models import Contact, Invitation
from .questionnaires.loader import DefinitionError

surveys_cli = AppGroup("surveys", help="Import, list, open and close surveys.")
invitations_cli = AppGroup("invitations", help="Invite people and print their personal links.")
users_cli = AppGroup("users", help="Accounts of admins, analysts and volunteers.")


def _survey_or_fail(slug: str):
    try:
        return get_survey(db.session, slug)
    except SurveyNotFound as exc:
        raise click.ClickException(str(exc)) from None


@surveys_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def surveys_import(file: Path):
    """Create a survey from a definition FILE, or a new version of the survey with its slug."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise click.ClickException(f"{file}: no such file") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise click.ClickException(f"{file}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    try:
        result = import_definition(db.session, text, str(file))
    except DefinitionError as exc:
        db.session.rollback()
        click.echo(f"{file}: {len(exc.problems)} problem(s), nothing was imported:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    record_audit(db.session, "survey_imported", target=result.survey.slug, detail=f"version {result.version.number}",
                 survey=result.survey)
    db.session.commit()
    click.echo(f"{result.survey.slug} version {result.version.number}"
               + (" (new survey)" if result.created_survey else " (new version)" if result.created_version
                  else " (replaced: no one had answered it yet)"))


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
        set_status(db.session, survey, "open")
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
    set_status(db.session, survey, "closed")
    record_audit(db.session, "survey_closed", target=slug, survey=survey)
    db.session.commit()
    click.echo(f"{slug} is closed")


@invitations_cli.command("create")
@click.argument("slug")
def invitations_create(slug: str):
    """Invite every contact not yet invited (or one made-up contact when there are none); print the links."""
    survey = _survey_or_fail(slug)
    contacts = list(db.session.scalars(select(Contact).where(Contact.erased_at.is_(None)).order_by(Contact.id)))
    if not contacts:
        contacts = [make_up_contact(db.session)]
    invited = set(db.session.scalars(select(Invitation.contact_id).where(Invitation.survey_id == survey.id)))
    links = []
    for contact in contacts:
        if contact.id in invited:
            continue
        links.append(invitation_link(create_invitation(db.session, survey, contact)))
    db.session.commit()
    for link in links:
        click.echo(link)
    if not links:
        click.echo("Every contact is invited already.", err=True)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "analyst", "volunteer"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, role: str, password_stdin: bool):
    """Create an account (password from a prompt, or --password-stdin)."""
    from .auth.users import UserError, create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(db.session, email, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "user_created", target=user.email, detail=f"role={user.role}")
    db.session.commit()
    click.echo(f"{user.email} ({user.role}) created")


@users_cli.command("token")
@click.argument("email")
def users_token(email: str):
    """Issue an API token for EMAIL (printed alone on the last line; only its hash is stored)."""
    from .auth.users import UserError, issue_api_token

    try:
        token = issue_api_token(db.session, email)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "api_token_issued", target=email.strip().lower())
    db.session.commit()
    click.echo("API token (shown once; send it as 'Authorization: Bearer <token>'):")
    click.echo(token)


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool):
    """Set a new password for EMAIL (ends the account's sessions)."""
    from .auth.users import UserError, find_user, set_password

    try:
        user = find_user(db.session, email)
        password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
            "New password", hide_input=True, confirmation_prompt=True)
        set_password(db.session, user, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(db.session, "password_set", target=user.email)
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their sessions have ended")


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str):
    """Stop EMAIL signing in (the account is kept for the audit trail); ends its sessions and API token."""
    from .auth.users import UserError, deactivate_user, find_user

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
def demo_command(seed: int):
    """Load the two example questionnaires with made-up people and answers."""
    from .demo import load_demo

    summary = load_demo(db.session, seed=seed)
    db.session.commit()
    click.echo(summary)


def register_cli(app: Flask) -> None:
    for group in (surveys_cli, invitations_cli, users_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)

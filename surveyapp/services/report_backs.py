"""Report back sheets as plain functions over a session: create, carry actions over, duplicate, finalise, share.

No Flask here: the views (routes.py) and the demo call these.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analysis.report_figures import FigureError, section_figure
from ..models import ReportAction, ReportBack, ReportSection, ReportShare, Survey, utcnow
from . import share_links

CARRIED_STATUSES = ("open", "promised")  # an action still to happen goes on to the next sheet


class ReportFinal(Exception):
    """A final report back cannot change: duplicate it to start the next one."""


def create_report(
    session: Session,
    survey: Survey,
    title: str,
    group_name: str,
    meeting: str = "",
    meeting_date: date | None = None,
    attendees: str = "",
    created_by_id: int | None = None,
    carry_over: bool = True,
) -> ReportBack:
    """A new draft; the open and promised actions of the group's latest sheet come with it ("what happened since")."""
    report = ReportBack(
        survey_id=survey.id,
        title=title,
        group_name=group_name,
        meeting=meeting,
        meeting_date=meeting_date,
        attendees=attendees,
        created_by_id=created_by_id,
        status="draft",
    )
    session.add(report)
    session.flush()
    if carry_over:
        previous = latest_of_group(session, survey.id, group_name, before=report.id)
        if previous is not None:
            report.previous_id = previous.id
            carry_actions(report, previous)
    return report


def latest_of_group(session: Session, survey_id: int, group_name: str, before: int | None = None) -> ReportBack | None:
    query = select(ReportBack).where(ReportBack.survey_id == survey_id, ReportBack.group_name == group_name)
    if before is not None:
        query = query.where(ReportBack.id != before)
    return session.scalar(query.order_by(ReportBack.meeting_date.desc(), ReportBack.id.desc()).limit(1))


def carry_actions(report: ReportBack, previous: ReportBack) -> None:
    position = len(report.actions)
    for action in previous.actions:
        if action.status in CARRIED_STATUSES:
            position += 1
            report.actions.append(
                ReportAction(
                    position=position,
                    what=action.what,
                    of_whom=action.of_whom,
                    by_when=action.by_when,
                    status=action.status,
                    carried_from_id=action.id,
                )
            )


def require_draft(report: ReportBack) -> None:
    if report.is_final:
        raise ReportFinal(gettext("This report back is final: duplicate it to start the next one."))


def add_section(report: ReportBack, **fields) -> ReportSection:
    require_draft(report)
    section = ReportSection(position=max([s.position for s in report.sections] + [0]) + 1, **fields)
    report.sections.append(section)
    return section


def move_section(report: ReportBack, section: ReportSection, step: int) -> None:
    require_draft(report)
    ordered = list(report.sections)
    i = ordered.index(section)
    j = i + step
    if 0 <= j < len(ordered):
        ordered[i].position, ordered[j].position = ordered[j].position, ordered[i].position
        report.sections.sort(key=lambda s: s.position)


def add_action(
    report: ReportBack, what: str, of_whom: str = "", by_when: str = "", status: str = "open"
) -> ReportAction:
    require_draft(report)
    action = ReportAction(
        position=max([a.position for a in report.actions] + [0]) + 1,
        what=what,
        of_whom=of_whom,
        by_when=by_when,
        status=status,
    )
    report.actions.append(action)
    return action


def live_figure(session: Session, report: ReportBack, section: ReportSection, cache: dict | None = None) -> dict | None:
    """The section's figure: frozen on a final sheet, otherwise computed now under the survey's policy."""
    if section.frozen is not None:
        return section.frozen
    if not section.figure_kind:
        return None
    try:
        return section_figure(session, report.survey, section.figure_kind, section.figure_params, cache=cache)
    except FigureError as exc:
        return {"kind": section.figure_kind, "error": str(exc)}


def finalise(session: Session, report: ReportBack, now: datetime | None = None) -> None:
    """Freeze the sheet: each figure stored as shown today; the sheet never changes again."""
    require_draft(report)
    cache: dict = {}
    for section in report.sections:
        if section.figure_kind:
            section.frozen = live_figure(session, report, section, cache)
    report.status = "final"
    report.finalised_at = now or utcnow()


def duplicate(session: Session, report: ReportBack, created_by_id: int | None = None) -> ReportBack:
    """The start of the next sheet: same survey, group, attendees and sections (live figures again); open actions carried."""
    copy = ReportBack(
        survey_id=report.survey_id,
        title=f"{report.title} (next)",
        group_name=report.group_name,
        meeting=report.meeting,
        meeting_date=None,
        attendees=report.attendees,
        created_by_id=created_by_id,
        previous_id=report.id,
        status="draft",
    )
    session.add(copy)
    for section in report.sections:
        copy.sections.append(
            ReportSection(
                position=section.position,
                heading=section.heading,
                narrative=section.narrative,
                figure_kind=section.figure_kind,
                figure_params=dict(section.figure_params) if section.figure_params else None,
                outside=dict(section.outside) if section.outside else None,
            )
        )
    carry_actions(copy, report)
    session.flush()
    return copy


# ---------------------------------------------------------------- share links


share_token_hash = share_links.token_hash
revoke_share = share_links.revoke


def create_share(
    session: Session, report: ReportBack, days: int, label: str = "", created_by_id: int | None = None
) -> tuple[ReportShare, str]:
    """(share, token): the token is shown once; only its SHA-256 is stored. Only final sheets are shared."""
    if not report.is_final:
        raise ValueError(gettext("Finalise the report back before sharing it: a share link shows a final sheet only."))
    share = ReportShare(report_id=report.id)
    return share, share_links.issue(session, share, days, label, created_by_id)


def find_shared_report(session: Session, token: str, now: datetime | None = None) -> ReportBack | None:
    """The final sheet a live (not revoked, not expired) share token opens, or None."""
    share = share_links.find(session, ReportShare, token)
    if share is None or not share.is_live_at(now or utcnow()) or not share.report.is_final:
        return None
    return share.report


def parse_outside(title: str, source: str, comparators: str, table_text: str) -> dict | None:
    """Outside figures typed or pasted as lines of cells (tabs from a spreadsheet, or commas): kept as given."""
    lines = [line for line in (table_text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines and not title.strip():
        return None
    sep = "\t" if any("\t" in line for line in lines) else ","
    rows = [[cell.strip() for cell in line.split(sep)] for line in lines[:200]]
    return {
        "title": title.strip(),
        "source": source.strip(),
        "comparators": comparators.strip(),
        "rows": rows,
        "text": table_text or "",
    }

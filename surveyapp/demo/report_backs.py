"""The demo's report backs: a final sheet from the GP survey, and a draft that follows its actions up.

Names, meetings and outside figures are made up.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ..models import Survey, User
from ..reports import service

GROUP = "Talking therapies action group"


def load_report_backs(session: Session, survey: Survey, cochair: User, finalised_at: datetime) -> None:
    first = service.create_report(
        session,
        survey,
        title="Report back: GP views of talking therapies",
        group_name=GROUP,
        meeting="Meeting with the commissioners of talking therapies",
        meeting_date=date(2026, 11, 18),
        attendees="Ann Example and Raj Sample (co-chairs), Pat Placeholder (commissioner), four group members",
        created_by_id=cochair.id,
    )
    service.add_section(
        first,
        heading="Why we asked GPs",
        narrative=(
            "Members told us that **waiting times** for a first appointment put people off. "
            "We asked the GPs who refer to the service what they see.\n\n"
            "- Most GPs know how to refer\n- Fewer think the wait is reasonable"
        ),
        figure_kind="response_rate",
        figure_params={"question": "", "by": ""},
    )
    service.add_section(
        first,
        heading="Who answered, by area",
        narrative="The response was lowest in the smallest area: we will ask the practice managers there to remind GPs.",
        figure_kind="rate_by_area",
        figure_params={"question": "", "by": "pct"},
    )
    service.add_section(
        first,
        heading="How other areas compare",
        narrative="Figures the commissioners gave us (made up for the demo).",
        outside={
            "title": "People moving off benefits after therapy, April to June",
            "source": "Commissioners' quarterly return (demo figures)",
            "comparators": "two nearby areas",
            "rows": [["Area", "People"], ["Our area", "11"], ["Nearby area A", "5"], ["Nearby area B", "1"]],
            "text": "Area, People\nOur area, 11\nNearby area A, 5\nNearby area B, 1",
        },
    )
    service.add_action(
        first,
        "Publish waiting times for a first appointment each quarter",
        "Commissioners",
        "February 2027",
        "promised",
    )
    service.add_action(first, "Offer evening group sessions in the east area", "Service manager", "March 2027", "open")
    service.add_action(first, "Send the GP survey's results to every practice", "Co-chairs", "December 2026", "done")
    session.flush()
    service.finalise(session, first, now=finalised_at)
    session.flush()
    follow_up = service.duplicate(session, first, created_by_id=cochair.id)
    follow_up.title = "Report back: following up waiting times"
    follow_up.meeting_date = date(2027, 2, 17)
    session.flush()

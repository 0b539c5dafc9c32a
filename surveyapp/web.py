"""What the blueprints share for reading a request: the one way to find a survey by the slug in a URL.

Everything else is found with Flask-SQLAlchemy's own `db.get_or_404(Model, id)` and
`db.first_or_404(select(...))`, and listed with `db.paginate(select(...))`.
"""

from __future__ import annotations

from sqlalchemy import select

from .auth.access import require_survey_access
from .extensions import db
from .models import Survey


def survey_or_404(slug: str) -> Survey:
    """The survey with this slug, if the signed-in user may use it: else the 404 (or 403) page.

    Authorisation by the survey itself happens here, so no survey-scoped view can forget it.
    """
    return require_survey_access(db.first_or_404(select(Survey).where(Survey.slug == slug)))

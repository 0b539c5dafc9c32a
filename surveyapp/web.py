"""What the blueprints share for reading a request: the one way to find a survey by the slug in a URL.

Everything else is found with Flask-SQLAlchemy's own `db.get_or_404(Model, id)` and
`db.first_or_404(select(...))`, and listed with `db.paginate(select(...))`.
"""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Survey


def survey_or_404(slug: str) -> Survey:
    """The survey with this slug, or the 404 page (authorisation is the caller's: require_survey_access)."""
    return db.first_or_404(select(Survey).where(Survey.slug == slug))

"""The settings an admin changes on a survey's page, at once and without a new version: how many reminders and how
far apart, the closing date, and whether the public link works. Each change is audited (old -> new).

These are columns of `Survey` that importing or publishing a definition also sets from its `settings` (as it always
has: the definition's values, or the documented defaults). So that publishing from the editor does not quietly undo
a change made here, a change is written into the editor's draft too (when there is one), and a draft started later
from the published version starts with the survey's current values (`overlay_on_definition`, called by
services/drafts.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy.orm import Session

from ..audit import record_audit
from ..models import Survey
from ..questionnaires.definition import SETTINGS_DEFAULTS

REMINDER_MAX = (0, 10)
REMINDER_INTERVAL_DAYS = (1, 90)


class SettingsError(ValueError):
    """A value that cannot be set; str() says why and `field` names the setting."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SurveySettings:
    reminder_max: int
    reminder_interval_days: int
    closes_on: date | None
    public_link: bool


#: each setting: the survey column it lives in, and its key in a definition's settings
FIELDS = {
    "reminder_max": "reminder_max",
    "reminder_interval_days": "reminder_interval_days",
    "closes_on": "closes_on",
    "public_link": "public_link_enabled",
}


def current_settings(survey: Survey) -> SurveySettings:
    return SurveySettings(
        reminder_max=survey.reminder_max,
        reminder_interval_days=survey.reminder_interval_days,
        closes_on=survey.closes_on,
        public_link=bool(survey.public_link_enabled),
    )


def _shown(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return value.isoformat() if isinstance(value, date) else str(value)


def change_settings(session: Session, survey: Survey, new: SurveySettings, today: date) -> list[str]:
    """Apply the settings that differ from the survey's: one audit row each (`survey.<setting>`, detail
    "old -> new"), the public link's key made when the link is turned on, the draft updated to match.

    A closing date may not be set to a day before `today` (one already past and left as it is stays).
    Raises SettingsError (nothing changed) for a value out of range. Returns the names of the settings changed."""
    low, high = REMINDER_MAX
    if not (isinstance(new.reminder_max, int) and low <= new.reminder_max <= high):
        raise SettingsError(
            "reminder_max",
            gettext("The number of reminders must be a whole number from %(low)s to %(high)s", low=low, high=high),
        )
    low, high = REMINDER_INTERVAL_DAYS
    if not (isinstance(new.reminder_interval_days, int) and low <= new.reminder_interval_days <= high):
        raise SettingsError(
            "reminder_interval_days",
            gettext("The days between reminders must be a whole number from %(low)s to %(high)s", low=low, high=high),
        )
    if new.closes_on is not None and new.closes_on != survey.closes_on and new.closes_on < today:
        raise SettingsError("closes_on", gettext("The closing date must be today or in the future"))

    old = current_settings(survey)
    changed = [name for name in FIELDS if getattr(old, name) != getattr(new, name)]
    for name in changed:
        setattr(survey, FIELDS[name], getattr(new, name))
        record_audit(
            session,
            f"survey.{name}",
            target=survey.slug,
            survey=survey,
            detail=f"{name}: {_shown(getattr(old, name))} -> {_shown(getattr(new, name))}",
        )
    if new.public_link and not survey.public_key:
        survey.public_key = secrets.token_urlsafe(16)  # as an import that turns the link on does
    if changed and survey.draft_definition is not None:
        draft = dict(survey.draft_definition)
        _write_settings(draft, {name: getattr(new, name) for name in changed})
        survey.draft_definition = draft  # a new object, so the JSON column is written
    return changed


def overlay_on_definition(definition: dict, survey: Survey) -> dict:
    """The definition with the survey's current page-set values where its settings say otherwise (for a draft
    started from the published version after a change on the survey's page)."""
    settings = definition.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    current = current_settings(survey)
    differing = {}
    for name in FIELDS:
        named = settings.get(name, SETTINGS_DEFAULTS[name])
        if name == "closes_on" and isinstance(named, date):
            named = named.isoformat()
        value = getattr(current, name)
        if (value.isoformat() if isinstance(value, date) else value) != named:
            differing[name] = value
    if differing:
        _write_settings(definition, differing)
    return definition


def _write_settings(definition: dict, values: dict) -> None:
    """Set settings in a definition dict as the file holds them: dates as text, defaults left out."""
    settings = definition.get("settings")
    settings = dict(settings) if isinstance(settings, dict) else {}
    for name, value in values.items():
        if value == SETTINGS_DEFAULTS[name]:
            settings.pop(name, None)
        else:
            settings[name] = value.isoformat() if isinstance(value, date) else value
    if settings:
        definition["settings"] = settings
    else:
        definition.pop("settings", None)

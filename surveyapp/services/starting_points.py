"""Starting points for a new questionnaire: blank, the NHS Friends and Family Test, and the demo's GP opinion
survey and personal health budget interview. Each is a function (slug, title) -> definition dict."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext

from ..questionnaires import loader

FFT_CHOICES = (
    ("very_good", "Very good"),
    ("good", "Good"),
    ("neither", "Neither good nor poor"),
    ("poor", "Poor"),
    ("very_poor", "Very poor"),
    ("dont_know", "Don't know"),
)


def blank_definition(slug: str, title: str) -> dict:
    return {"slug": slug, "title": title, "pages": [{"name": "page_1", "title": "Page 1", "questions": []}]}


def friends_and_family_definition(slug: str, title: str) -> dict:
    """The NHS Friends and Family Test: its standard question, six answers, and the free-text follow-up."""
    return {
        "slug": slug,
        "title": title,
        "settings": {
            "start_text": "We would like you to think about your recent experience of our service.",
            "thank_you_text": "Thank you for your feedback. We read every comment and use them to improve our service.",
        },
        "pages": [
            {
                "name": "experience",
                "title": "Your experience",
                "questions": [
                    {
                        "name": "fft",
                        "type": "single_choice",
                        "label": "Overall, how was your experience of our service?",
                        "required": True,
                        "choices": [{"value": v, "label": label} for v, label in FFT_CHOICES],
                    },
                    {
                        "name": "fft_why",
                        "type": "long_text",
                        "label": "Please can you tell us why you gave your answer?",
                    },
                ],
            }
        ],
    }


#: the demo's questionnaires are real ones: they double as starting points
DEMO_QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "demo"


#: who runs a demo survey and how to reach them are the demo's made-up people: a new survey names its own
DEMO_ONLY_SETTINGS = ("run_by", "contact", "privacy_url")


def _from_demo(filename: str):
    def build(slug: str, title: str) -> dict:
        definition = loader.load_definition_file(DEMO_QUESTIONNAIRES / filename).to_dict()
        settings = {k: v for k, v in (definition.get("settings") or {}).items() if k not in DEMO_ONLY_SETTINGS}
        definition.pop("settings", None)
        return {**definition, "slug": slug, "title": title, **({"settings": settings} if settings else {})}

    return build


STARTING_POINTS = {
    "blank": (lazy_gettext("A blank questionnaire"), blank_definition),
    "fft": (lazy_gettext("NHS Friends and Family Test"), friends_and_family_definition),
    "gp": (lazy_gettext("GP opinion survey (four pages, with conditions)"), _from_demo("gp_iapt.yaml")),
    "phb": (lazy_gettext("Personal health budget holders' interview"), _from_demo("phb_interview.yaml")),
}

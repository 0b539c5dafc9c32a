"""Images stored with a survey: add (checked and re-encoded), list, remove, and which ones a questionnaire
uses that are missing.

Promises:
- an image is accepted only when Pillow decodes it as PNG, JPEG, GIF or WebP within the limits below
  (no SVG: it can carry script); anything else is refused with one clear message, nothing stored;
- what is stored is re-encoded from the decoded pixels, so metadata (EXIF, GPS position, comments) is not
  kept: a photo taken on a phone does not publish where it was taken;
- a name is the file's own name reduced to letters, digits, `.`, `-` and `_`; the same name again replaces
  the image (every version of the survey uses the survey's images by name).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Survey, SurveyImage, utcnow
from ..questionnaires.media import NAME, image_name, used_images

MAX_BYTES = 2 * 1024 * 1024  # an upload; a page of easy read has a few of them, on phones
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000  # Pillow's decompression-bomb guard, lower than its default
MAX_IMAGES = 200
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class ImageError(ValueError):
    """A refused image: the message says which file and what to do."""


@dataclass(frozen=True)
class CheckedImage:
    name: str
    content_type: str
    width: int
    height: int
    data: bytes


def check_image(filename: str, raw: bytes) -> CheckedImage:
    """Decode, check and re-encode an uploaded image (ImageError when it cannot be used)."""
    name = image_name(filename)
    shown = name or gettext("the file")
    if not name or not NAME.match(name):
        raise ImageError(
            gettext("%(file)s: give the image a file name made of letters and digits, such as pharmacy.png", file=shown)
        )
    if len(raw) > MAX_BYTES:
        raise ImageError(
            gettext(
                "%(file)s: the image is larger than 2 MB; save it smaller (a phone screen is about 1000 pixels wide)",
                file=shown,
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(io.BytesIO(raw)) as image:
                kind = image.format
                if kind not in FORMATS:
                    raise ImageError(gettext("%(file)s: the image must be a PNG, JPEG, GIF or WebP file", file=shown))
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise ImageError(
                        gettext(
                            "%(file)s: the image is %(width)s × %(height)s pixels; at most %(max)s each way",
                            file=shown,
                            width=width,
                            height=height,
                            max=MAX_SIDE,
                        )
                    )
                image.load()
                data = _re_encode(image, kind)
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            gettext("%(file)s: this is not an image that can be shown (PNG, JPEG, GIF or WebP)", file=shown)
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageError(gettext("%(file)s: the image is damaged and cannot be read", file=shown)) from None
    return CheckedImage(name, FORMATS[kind], width, height, data)


def _re_encode(image: Image.Image, kind: str) -> bytes:
    """The pixels again in the same format, without the file's metadata."""
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    elif kind == "GIF":
        image.save(out, "GIF")  # the first frame: a moving picture distracts (WCAG 2.2.2)
    else:
        image.save(out, "WEBP", quality=88)
    return out.getvalue()


def add_image(
    session: Session, survey: Survey, filename: str, raw: bytes, uploaded_by_id: int | None = None
) -> tuple[SurveyImage, bool]:
    """(image, replaced): store an image with the survey, replacing one of the same name."""
    checked = check_image(filename, raw)
    image = session.scalar(
        select(SurveyImage).where(SurveyImage.survey_id == survey.id, SurveyImage.name == checked.name)
    )
    replaced = image is not None
    if image is None:
        count = len(images_of(session, survey))
        if count >= MAX_IMAGES:
            raise ImageError(
                gettext(
                    "%(file)s: a survey keeps at most %(max)s images; remove some first",
                    file=checked.name,
                    max=MAX_IMAGES,
                )
            )
        image = SurveyImage(survey_id=survey.id, name=checked.name)
        session.add(image)
    image.content_type, image.width, image.height = checked.content_type, checked.width, checked.height
    image.data, image.size = checked.data, len(checked.data)
    image.sha256 = hashlib.sha256(checked.data).hexdigest()
    image.uploaded_by_id, image.uploaded_at = uploaded_by_id, utcnow()
    session.flush()
    return image, replaced


def images_of(session: Session, survey: Survey) -> list[SurveyImage]:
    return list(
        session.scalars(select(SurveyImage).where(SurveyImage.survey_id == survey.id).order_by(SurveyImage.name))
    )


def image_named(session: Session, survey_id: int, name: str) -> SurveyImage | None:
    if not NAME.match(name or ""):
        return None
    return session.scalar(select(SurveyImage).where(SurveyImage.survey_id == survey_id, SurveyImage.name == name))


def missing_images(questionnaire, stored: list[SurveyImage]) -> list[str]:
    have = {image.name for image in stored}
    return sorted(name for name in used_images(questionnaire) if name not in have)

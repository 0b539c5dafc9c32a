"""The co-chairs' narrative: a small safe subset of Markdown (paragraphs, bold, italics, lists, links).

markdown-it-py with raw HTML off: anything that looks like a tag is shown as text.
Only the rules for the subset are enabled, and links keep only http(s) and mailto
targets (markdown-it's own validateLink refuses javascript:, vbscript:, file: and
data: URLs besides images); links open with rel="noopener".
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "list", "link", "newline"]
)
_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(_ALLOWED_SCHEMES)


_md.validateLink = _validate_link


def render_narrative(text: str | None) -> Markup:
    """Escaped HTML of the narrative: the only markup is what the subset makes."""
    return Markup(_md.render(text or ""))

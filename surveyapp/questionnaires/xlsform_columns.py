"""What XLSForm reading and writing share: the conventions that make import(export(q)) give q back.

XLSForm has no column for some of the native definition's keys (a number's min and max, a text's
pattern, a rating's end labels, consent). They travel in extra columns of the survey sheet, named as the
keys; pyxform and ODK tools carry unknown columns without complaint and ignore them.
"""

from __future__ import annotations

from . import types

#: extra survey-sheet columns: key -> how its cell is read ("bound": by the question's type, "whole": a
#: whole number, "flag": yes/no, "text")
EXTENSION_COLUMNS = {
    "min": "bound",
    "max": "bound",
    "min_label": "text",
    "max_label": "text",
    "min_length": "whole",
    "max_length": "whole",
    "pattern": "text",
    "pattern_message": "text",
    "suffix": "text",
    "width": "whole",
    "consent": "flag",
    "image_alt": "text",  # the text alternative of the question's image (XLSForm has no column for it)
}
#: on a begin group row: the page's name when the group could not take it (a question has that name)
PAGE_NAME_COLUMN = "page_name"
#: a select_one of this list, with exactly these choices, is the native yes_no type
YES_NO_LIST = "yes_no"
YES_NO_CHOICES = tuple(types.YES_NO_CHOICES)
LIKERT_APPEARANCE = "likert"
MULTILINE_APPEARANCE = "multiline"
#: a top-level group with one of these appearances is one page
PAGE_APPEARANCES = {"field-list", "table-list"}
#: the settings the native format has beyond XLSForm's, as settings-sheet columns of the same names
EXTRA_SETTINGS = ("description",)
#: settings-sheet column of the form's title in another language (translated_title::Cymraeg (cy)); pyxform
#: reads form_title::... but cannot write an XForm from it, so the export uses this column
TRANSLATED_TITLE_COLUMN = "translated_title"

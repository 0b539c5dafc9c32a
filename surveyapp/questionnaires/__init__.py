"""The questionnaire engine: definition format, validation, expressions and page runtime.

Plain Python with no Flask imports. See docs/questionnaire-format.md.
"""

from .definition import CHOICE_TYPES, QUESTION_TYPES, Choice, Page, Question, Questionnaire
from .expressions import Expression, ExpressionError
from .loader import DefinitionError, Problem, load_definition_file, load_definition_text

__all__ = [
    "CHOICE_TYPES",
    "QUESTION_TYPES",
    "Choice",
    "Page",
    "Question",
    "Questionnaire",
    "Expression",
    "ExpressionError",
    "DefinitionError",
    "Problem",
    "load_definition_file",
    "load_definition_text",
]

"""XLSForm-style expressions: a lark parser and a small evaluator (never eval/exec).

`parse(text)` turns an expression such as ``selected(${routes}, 'other') and ${n} > 3``
into a reusable, cached `Expression`; `evaluate()` and `is_true()` run it against a
mapping of answers. Value semantics follow ODK/XLSForm where reasonable; the
differences are listed in docs/questionnaire-format.md ("Expressions").

Division or `mod` by zero gives NaN (ODK would give Infinity for `1 div 0`).
Every comparison with NaN is false except `!=`, which is true, as in XPath.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import patterns
from .messages import N_, Message

MAX_LENGTH = 2000
MAX_DEPTH = 100

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr "or" and_expr -> or_
?and_expr: eq_expr | and_expr "and" eq_expr -> and_
?eq_expr: rel_expr | eq_expr EQ_OP rel_expr -> compare
?rel_expr: add_expr | rel_expr REL_OP add_expr -> compare
?add_expr: mul_expr | add_expr ADD_OP mul_expr -> arith
?mul_expr: unary | mul_expr MUL_OP unary -> arith
?unary: atom | "-" unary -> neg
?atom: NUMBER -> number
     | STRING -> string
     | REF -> ref
     | "." -> current
     | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
     | "(" or_expr ")"

EQ_OP: "!=" | "="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "div" | "mod"
NUMBER: /\d+(\.\d+)?/
STRING: /'[^']*'/ | /"[^"]*"/
REF: /\$\{[^}]*\}/
FUNC: /[A-Za-z_][A-Za-z0-9_-]*(?=\s*\()/
%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)

# A choice filter (XLSForm's `choice_filter`) also reads the choice's own columns by their bare names:
# `region = ${region}`. Only filters take bare names, so a bare word elsewhere keeps its clear message.
_FILTER_GRAMMAR = _GRAMMAR.replace(
    '     | "(" or_expr ")"\n', '     | "(" or_expr ")"\n     | COLUMN -> column\n'
).replace("FUNC: /", "COLUMN: /[A-Za-z_][A-Za-z0-9_]*/\nFUNC.2: /")
_FILTER_PARSER = Lark(_FILTER_GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True)

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# A contact's attribute: ${contact.area} (questionnaires/piping.py puts them in the answers under this key).
_CONTACT_NAME_RE = re.compile(r"contact\.[A-Za-z_][A-Za-z0-9_]*\Z")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_EPOCH = datetime.date(1970, 1, 1)
_CTX = decimal.Context(prec=28, traps=[])
NAN = decimal.Decimal("NaN")

# name -> (minimum arguments, maximum arguments)
FUNCTIONS: dict[str, tuple[int, int]] = {
    "true": (0, 0),
    "false": (0, 0),
    "today": (0, 0),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "not": (1, 1),
    "string-length": (1, 1),
    "number": (1, 1),
    "int": (1, 1),
    "regex": (2, 2),
    "if": (3, 3),
    "coalesce": (2, 2),
    "date": (1, 1),
}


class ExpressionError(ValueError):
    """A syntax or structural problem in an expression, in plain English."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        #: 0-based offset into the expression text (the message counts from 1).
        self.position = position


@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed expression; immutable, reusable and safe to share between threads."""

    text: str
    references: frozenset[str]
    uses_current: bool
    _run: Callable = field(repr=False)
    #: the choice columns a choice filter reads by bare name (always empty outside filters)
    columns: frozenset[str] = frozenset()

    def evaluate(
        self, answers: Mapping[str, object], current: object = None, today: datetime.date | None = None
    ) -> object:
        return self._run(_Context(answers, current, today))


class _Context:
    __slots__ = ("answers", "current", "_today")

    def __init__(self, answers, current, today):
        self.answers = answers
        self.current = current
        self._today = today

    @property
    def today(self) -> datetime.date:
        if self._today is None:
            self._today = datetime.date.today()
        return self._today


# --- conversions -------------------------------------------------------------


def _is_nan(value) -> bool:
    return isinstance(value, decimal.Decimal) and value.is_nan()


def _is_number(value) -> bool:
    return isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool)


def to_string(value) -> str:
    """The string form of a value, as XPath's string() would give it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(to_string(v) for v in value)
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "Infinity" if value > 0 else "-Infinity"
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def to_number(value) -> int | decimal.Decimal:
    """A number from any value; NaN when it is not a number (including empty)."""
    if isinstance(value, bool):
        return 1 if value else 0
    if _is_number(value):
        return value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return (value - _EPOCH).days
    text = to_string(value).strip()
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        number = decimal.Decimal(text)
        return int(number) if number == number.to_integral_value() and "." not in text else number
    return NAN


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if _is_number(value):
        return not _is_nan(value) and value != 0
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    if isinstance(value, (datetime.date, datetime.time)):
        return True
    return to_string(value) != ""


def _to_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if _is_number(value) and not _is_nan(value) and not (isinstance(value, decimal.Decimal) and value.is_infinite()):
        try:
            return _EPOCH + datetime.timedelta(days=int(value))
        except OverflowError:
            return None
    text = to_string(value).strip()
    if _DATE_RE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    return None


_TIME_TEXT_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?\Z")
_DATETIME_TEXT_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?\Z")


def _to_time(value) -> datetime.time | None:
    """A time of day from a time answer or text like '14:30' (or '14:30:00'); None otherwise."""
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    text = to_string(value).strip()
    if _TIME_TEXT_RE.match(text):
        return datetime.time.fromisoformat(text[:5])
    return None


def _to_datetime(value) -> datetime.datetime | None:
    """A date and time from a datetime answer or text like '2024-03-27T14:30'."""
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = to_string(value).strip()
    if _DATETIME_TEXT_RE.match(text):
        try:
            return datetime.datetime.fromisoformat(text[:16].replace(" ", "T"))
        except ValueError:
            return None
    return None


def _tidy(number: decimal.Decimal) -> int | decimal.Decimal:
    if number.is_finite() and number == number.to_integral_value():
        return int(number)
    return number


# --- operators ---------------------------------------------------------------


def _compare(op: str, left, right) -> bool:
    if isinstance(left, (list, tuple)):
        left = to_string(left)
    if isinstance(right, (list, tuple)):
        right = to_string(right)
    timed = _timed_pair(left, right)
    if timed is not None:
        a, b = timed
        if op in ("=", "!="):
            equal = a is not None and a == b
            return equal if op == "=" else not equal
        if a is None or b is None:
            return False
    elif op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, datetime.date) or isinstance(right, datetime.date):
            a, b = _to_date(left), _to_date(right)
            equal = a is not None and a == b
        elif _is_number(left) or _is_number(right):
            a, b = to_number(left), to_number(right)
            if _is_nan(a) or _is_nan(b):
                return op == "!="
            equal = a == b
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    elif isinstance(left, datetime.date) or isinstance(right, datetime.date):
        a, b = _to_date(left), _to_date(right)
        if a is None or b is None:
            return False
    else:
        a, b = to_number(left), to_number(right)
        if _is_nan(a) or _is_nan(b):
            return False
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _timed_pair(left, right):
    """Both sides as times (one is a time answer) or as dates and times (one is a datetime answer); else None.

    A time compares with text like '14:30'; a date and time with another or with '2024-03-27T14:30', and
    by its day with a date or '2024-03-27' (so `${visit} > today()` is a later day, as in the browser)."""
    if isinstance(left, datetime.time) or isinstance(right, datetime.time):
        return _to_time(left), _to_time(right)
    if isinstance(left, datetime.datetime) or isinstance(right, datetime.datetime):
        if _is_day(left) or _is_day(right):
            return _to_date(left), _to_date(right)
        return _to_datetime(left), _to_datetime(right)
    return None


def _is_day(value) -> bool:
    if isinstance(value, datetime.datetime):
        return False
    return isinstance(value, datetime.date) or (isinstance(value, str) and bool(_DATE_RE.match(value.strip())))


def _arith(op: str, left, right):
    a, b = to_number(left), to_number(right)
    if _is_nan(a) or _is_nan(b):
        return NAN
    a, b = decimal.Decimal(a), decimal.Decimal(b)
    if op == "+":
        return _tidy(_CTX.add(a, b))
    if op == "-":
        return _tidy(_CTX.subtract(a, b))
    if op == "*":
        return _tidy(_CTX.multiply(a, b))
    if b == 0:
        return NAN
    if op == "div":
        return _tidy(_CTX.divide(a, b))
    return _tidy(_CTX.remainder(a, b))  # mod: sign of the dividend, as XPath


def _neg(value):
    number = to_number(value)
    if _is_nan(number):
        return NAN
    return -number


# --- functions ---------------------------------------------------------------


def _selected(value, option) -> bool:
    wanted = to_string(option).strip()
    if isinstance(value, (list, tuple)):
        return wanted in [to_string(v) for v in value]
    return wanted in to_string(value).split()


def _count_selected(value) -> int:
    if isinstance(value, (list, tuple)):
        return len(value)
    return len(to_string(value).split())


def _int(value):
    number = to_number(value)
    if _is_nan(number) or (isinstance(number, decimal.Decimal) and number.is_infinite()):
        return number
    return int(number)  # truncates towards zero, as XPath int()


def _regex(value, pattern) -> bool:
    # With a time limit: the pattern may come from an answer, and any pattern can be slow on some text.
    return patterns.search(to_string(pattern), to_string(value))


def _date(value):
    result = _to_date(value)
    return "" if result is None else result


def _simple(fn):
    def build(args):
        def run(ctx):
            return fn(*(arg(ctx) for arg in args))

        return run

    return build


def _build_if(args):
    cond, then, other = args
    return lambda ctx: then(ctx) if to_boolean(cond(ctx)) else other(ctx)


def _build_coalesce(args):
    first, second = args

    def run(ctx):
        value = first(ctx)
        return value if to_string(value) != "" else second(ctx)

    return run


_BUILDERS = {
    "true": lambda args: lambda ctx: True,
    "false": lambda args: lambda ctx: False,
    "today": lambda args: lambda ctx: ctx.today,
    "selected": _simple(_selected),
    "count-selected": _simple(_count_selected),
    "not": _simple(lambda v: not to_boolean(v)),
    "string-length": _simple(lambda v: len(to_string(v))),
    "number": _simple(to_number),
    "int": _simple(_int),
    "regex": _simple(_regex),
    "if": _build_if,
    "coalesce": _build_coalesce,
    "date": _simple(_date),
}


# --- compiling the parse tree into closures ----------------------------------


class _Compiler:
    def __init__(self, text: str):
        self.text = text
        self.references: set[str] = set()
        self.uses_current = False
        self.columns: set[str] = set()

    def compile(self, node) -> Callable:
        kind = node.data
        if kind == "number":
            value = to_number(node.children[0].value)
            return lambda ctx: value
        if kind == "string":
            value = node.children[0].value[1:-1]
            return lambda ctx: value
        if kind == "ref":
            token = node.children[0]
            name = token.value[2:-1].strip()
            if not _NAME_RE.match(name) and not _CONTACT_NAME_RE.match(name):
                raise ExpressionError(
                    Message(
                        "'%(reference)s' at character %(position)s is not a valid reference: write %(form)s with a "
                        "question name, or %(contact)s with a contact attribute",
                        reference=token.value,
                        position=token.start_pos + 1,
                        form="${name}",
                        contact="${contact.name}",
                    ),
                    token.start_pos,
                )
            self.references.add(name)
            return lambda ctx: ctx.answers.get(name)
        if kind == "column":  # a choice filter's bare name: the choice's column (ctx.current is the choice's)
            name = node.children[0].value
            self.columns.add(name)
            return lambda ctx: ctx.current.get(name) if isinstance(ctx.current, Mapping) else None
        if kind == "current":
            self.uses_current = True
            return lambda ctx: ctx.current
        if kind == "neg":
            inner = self.compile(node.children[0])
            return lambda ctx: _neg(inner(ctx))
        if kind in ("or_", "and_"):
            left, right = (self.compile(c) for c in node.children)
            if kind == "or_":
                return lambda ctx: to_boolean(left(ctx)) or to_boolean(right(ctx))
            return lambda ctx: to_boolean(left(ctx)) and to_boolean(right(ctx))
        if kind in ("compare", "arith"):
            left_node, op_token, right_node = node.children
            left, right, op = self.compile(left_node), self.compile(right_node), op_token.value
            fn = _compare if kind == "compare" else _arith
            return lambda ctx: fn(op, left(ctx), right(ctx))
        if kind == "call":
            return self.compile_call(node)
        raise ExpressionError(f"Unsupported expression part '{kind}'")  # pragma: no cover

    def compile_call(self, node) -> Callable:
        name_token, *arg_nodes = node.children
        arg_nodes = [a for a in arg_nodes if a is not None]
        name = name_token.value
        position = name_token.start_pos
        if name not in FUNCTIONS:
            raise ExpressionError(
                Message("Unknown function '%(name)s' at character %(position)s", name=name, position=position + 1),
                position,
            )
        low, high = FUNCTIONS[name]
        if not low <= len(arg_nodes) <= high:
            raise ExpressionError(
                Message(
                    _TAKES_ONE if low == 1 else _TAKES_MANY,
                    name=name,
                    position=position + 1,
                    count=low,
                    given=len(arg_nodes),
                ),
                position,
            )
        self.check_literal_arguments(name, arg_nodes)
        return _BUILDERS[name]([self.compile(a) for a in arg_nodes])

    def check_literal_arguments(self, name: str, arg_nodes) -> None:
        if name == "date" and arg_nodes[0].data == "string":
            token = arg_nodes[0].children[0]
            if _to_date(token.value[1:-1]) is None:
                raise ExpressionError(
                    Message(
                        "%(text)s at character %(position)s is not a real date in the form 'YYYY-MM-DD'",
                        text=token.value,
                        position=token.start_pos + 1,
                    ),
                    token.start_pos,
                )
        if name == "regex" and arg_nodes[1].data == "string":
            token = arg_nodes[1].children[0]
            problem = patterns.problem(token.value[1:-1])
            if problem:
                raise ExpressionError(
                    Message(
                        "The pattern %(pattern)s at character %(position)s %(problem)s",
                        pattern=token.value,
                        position=token.start_pos + 1,
                        problem=problem,
                    ),
                    token.start_pos,
                )


#: "takes 1 argument" and "takes 2 arguments" (how many a function needs at least)
_TAKES_ONE = N_("Function '%(name)s' at character %(position)s takes %(count)s argument, not %(given)s")
_TAKES_MANY = N_("Function '%(name)s' at character %(position)s takes %(count)s arguments, not %(given)s")


def _tree_depth(tree: Tree) -> int:
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return deepest


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return Message("end of expression")
    return f"'{token.value}'"


def _syntax_error(text: str, exc: UnexpectedInput) -> ExpressionError:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return ExpressionError(
            Message(
                "The expression ends too early at character %(position)s: something is missing, such as a closing "
                "')' or a value after an operator",
                position=len(text) + 1,
            ),
            len(text),
        )
    if isinstance(exc, UnexpectedToken):
        pos = exc.token.start_pos or 0
        return ExpressionError(
            Message("Unexpected %(what)s at character %(position)s", what=_describe_token(exc.token), position=pos + 1),
            pos,
        )
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = text[pos]
        if char in "'\"":
            return ExpressionError(
                Message(
                    "The text starting with %(quote)s at character %(position)s is never closed",
                    quote=char,
                    position=pos + 1,
                ),
                pos,
            )
        if char == "$":
            return ExpressionError(
                Message(
                    "A reference at character %(position)s must be written %(form)s", position=pos + 1, form="${name}"
                ),
                pos,
            )
        if char.isalpha():
            word = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", text[pos:]).group(0)
            return ExpressionError(
                Message(
                    "Unexpected word '%(word)s' at character %(position)s (refer to a question as %(reference)s, put "
                    "text in quotes, or call a function like %(call)s)",
                    word=word,
                    position=pos + 1,
                    reference=f"${{{word}}}",
                    call=f"{word}(...)",
                ),
                pos,
            )
        return ExpressionError(
            Message("Unexpected '%(character)s' at character %(position)s", character=char, position=pos + 1), pos
        )
    return ExpressionError("The expression could not be understood")  # pragma: no cover


@functools.lru_cache(maxsize=2048)
def parse(text: str) -> Expression:
    """Parse an expression; raises ExpressionError with a plain-English message."""
    return _parse(text, _PARSER)


@functools.lru_cache(maxsize=512)
def parse_choice_filter(text: str) -> Expression:
    """Parse a choice filter: an expression where a bare name is a column of the choice being tested
    (`region = ${region}`); evaluate it with the choice's columns as `current` (choice_columns())."""
    return _parse(text, _FILTER_PARSER)


def _parse(text: str, parser: Lark) -> Expression:
    if not isinstance(text, str):
        raise ExpressionError(Message("An expression must be text"))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            Message(
                "The expression is too long (%(length)s characters; the limit is %(max)s)",
                length=len(text),
                max=MAX_LENGTH,
            )
        )
    if not text.strip():
        raise ExpressionError(Message("The expression is empty"))
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    if _tree_depth(tree) > MAX_DEPTH:
        raise ExpressionError(Message("The expression is nested too deeply (more than %(max)s levels)", max=MAX_DEPTH))
    compiler = _Compiler(text)
    run = compiler.compile(tree)
    return Expression(
        text, frozenset(compiler.references), compiler.uses_current, run, columns=frozenset(compiler.columns)
    )


def evaluate(
    expr: Expression | str, answers: Mapping[str, object], current: object = None, today: datetime.date | None = None
) -> object:
    """The value of an expression; answers missing from the mapping count as unanswered."""
    if isinstance(expr, str):
        expr = parse(expr)
    return expr.evaluate(answers, current, today)


def is_true(
    expr: Expression | str, answers: Mapping[str, object], current: object = None, today: datetime.date | None = None
) -> bool:
    """The expression's value as a condition (empty, 0, NaN, [] and false are false)."""
    return to_boolean(evaluate(expr, answers, current, today))


def syntax_tree(text: str) -> Tree:
    """The lark parse tree of a valid expression (for converters such as fhir.py); raises ExpressionError."""
    parse(text)  # the same checks and messages as everywhere else
    return _PARSER.parse(text)

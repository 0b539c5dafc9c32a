// Live show/hide of questions as the person answers (progressive enhancement).
//
// The server stays the authority: it renders every question whose condition may change
// on this page, hidden and disabled when it does not hold, and checks everything again
// on submit. This module evaluates the same XLSForm subset as
// surveyapp/questionnaires/expressions.py and toggles `hidden` and `disabled` on each
// question's wrapper (and its `_shown` marker), so what is submitted is what is seen.
// Any parse or evaluation error leaves the question as it is visible (fail open).
// No dependencies; no eval.

const FUNCTIONS = {
  true: [0, 0], false: [0, 0], today: [0, 0], selected: [2, 2], "count-selected": [1, 1],
  not: [1, 1], "string-length": [1, 1], number: [1, 1], int: [1, 1], regex: [2, 2],
  if: [3, 3], coalesce: [2, 2], date: [1, 1],
};
const NAME_RE = /^(contact\.)?[A-Za-z_][A-Za-z0-9_]*$/; // a question, or a contact attribute (${contact.area})
const DAY_MS = 86400000;

export class ExpressionError extends Error {}

/** A date value: whole days since 1970-01-01 (as the server counts them). */
export class DateValue {
  constructor(days) { this.days = days; }
  toString() { return new Date(this.days * DAY_MS).toISOString().slice(0, 10); }
}

// --- tokens -------------------------------------------------------------------

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if ((m = /^[ \t\r\n]+/.exec(rest))) { i += m[0].length; continue; }
    if ((m = /^\d+(\.\d+)?/.exec(rest))) tokens.push({ type: "number", value: m[0] });
    else if ((m = /^'[^']*'|^"[^"]*"/.exec(rest))) tokens.push({ type: "string", value: m[0].slice(1, -1) });
    else if ((m = /^\$\{[^}]*\}/.exec(rest))) tokens.push({ type: "ref", value: m[0].slice(2, -1).trim() });
    else if ((m = /^[A-Za-z_][A-Za-z0-9_-]*(?=\s*\()/.exec(rest))) tokens.push({ type: "func", value: m[0] });
    else if ((m = /^(or|and|div|mod)(?![A-Za-z0-9_-])/.exec(rest))) tokens.push({ type: "op", value: m[0] });
    else if ((m = /^(!=|<=|>=|[=<>+\-*(),.])/.exec(rest))) tokens.push({ type: "op", value: m[0] });
    else throw new ExpressionError(`Unexpected '${text[i]}' at character ${i + 1}`);
    i += m[0].length;
  }
  tokens.push({ type: "end", value: "" });
  return tokens;
}

// --- parser: precedence climbing, loosest first --------------------------------------

const LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];

/** Parse an expression into a small tree; throws ExpressionError. */
export function parse(text) {
  if (typeof text !== "string" || !text.trim()) throw new ExpressionError("The expression is empty");
  if (text.length > 2000) throw new ExpressionError("The expression is too long");
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const isOp = (value) => tokens[pos].type === "op" && tokens[pos].value === value;
  const expect = (value) => {
    if (!isOp(value)) throw new ExpressionError(`Expected '${value}'`);
    pos += 1;
  };

  function binary(level) {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek().type === "op" && LEVELS[level].includes(peek().value)) {
      const op = tokens[pos++].value;
      const right = binary(level + 1);
      left = { kind: level < 2 ? op : level < 4 ? "compare" : "arith", op, left, right };
    }
    return left;
  }

  function unary() {
    if (isOp("-")) {
      pos += 1;
      return { kind: "neg", inner: unary() };
    }
    return atom();
  }

  function atom() {
    depth += 1;
    if (depth > 100) throw new ExpressionError("The expression is nested too deeply");
    try {
      const token = tokens[pos++];
      if (token.type === "number") return { kind: "value", value: Number(token.value) };
      if (token.type === "string") return { kind: "value", value: token.value };
      if (token.type === "ref") {
        if (!NAME_RE.test(token.value)) throw new ExpressionError("Not a valid reference");
        return { kind: "ref", name: token.value };
      }
      if (token.type === "func") {
        const limits = FUNCTIONS[token.value];
        if (!limits) throw new ExpressionError(`Unknown function '${token.value}'`);
        expect("(");
        const args = [];
        if (!isOp(")")) {
          args.push(binary(0));
          while (isOp(",")) { pos += 1; args.push(binary(0)); }
        }
        expect(")");
        if (args.length < limits[0] || args.length > limits[1]) {
          throw new ExpressionError(`Function '${token.value}' takes ${limits[0]} arguments`);
        }
        return { kind: "call", name: token.value, args };
      }
      if (token.type === "op" && token.value === ".") return { kind: "current" };
      if (token.type === "op" && token.value === "(") {
        const inner = binary(0);
        expect(")");
        return inner;
      }
      throw new ExpressionError(token.type === "end" ? "The expression ends too early" : `Unexpected '${token.value}'`);
    } finally {
      depth -= 1;
    }
  }

  const tree = binary(0);
  if (peek().type !== "end") throw new ExpressionError(`Unexpected '${peek().value}'`);
  return tree;
}

// --- values, as expressions.py converts them --------------------------------------------

const isNumber = (v) => typeof v === "number";

export function toString(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toString).join(" ");
  if (value instanceof DateValue) return value.toString();
  if (isNumber(value)) {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    if (Number.isInteger(value)) return BigInt(value).toString();
    return String(value);
  }
  return String(value);
}

export function toNumber(value) {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (isNumber(value)) return value;
  if (value instanceof DateValue) return value.days;
  const text = toString(value).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

export function toBoolean(value) {
  if (typeof value === "boolean") return value;
  if (value === null || value === undefined) return false;
  if (isNumber(value)) return !Number.isNaN(value) && value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof DateValue) return true;
  return toString(value) !== "";
}

function dateFromParts(year, month, day) {
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (year < 1 || year > 9999 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1
      || check.getUTCDate() !== day) return null;
  return new DateValue(Math.round(ms / DAY_MS));
}

function toDate(value) {
  if (value instanceof DateValue) return value;
  if (isNumber(value)) return Number.isFinite(value) ? new DateValue(Math.trunc(value)) : null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(toString(value).trim());
  return m ? dateFromParts(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

// Results of arithmetic to 15 significant digits, so 0.1 + 0.2 = 0.3 as in Python's Decimal.
const tidy = (n) => (Number.isFinite(n) ? Number(n.toPrecision(15)) : n);

function compare(op, left, right) {
  if (Array.isArray(left)) left = toString(left);
  if (Array.isArray(right)) right = toString(right);
  if (op === "=" || op === "!=") {
    let equal;
    if (typeof left === "boolean" || typeof right === "boolean") {
      equal = toBoolean(left) === toBoolean(right);
    } else if (left instanceof DateValue || right instanceof DateValue) {
      const a = toDate(left);
      const b = toDate(right);
      equal = a !== null && b !== null && a.days === b.days;
    } else if (isNumber(left) || isNumber(right)) {
      const a = toNumber(left);
      const b = toNumber(right);
      if (Number.isNaN(a) || Number.isNaN(b)) return op === "!=";
      equal = a === b;
    } else {
      equal = toString(left) === toString(right);
    }
    return op === "=" ? equal : !equal;
  }
  let a;
  let b;
  if (left instanceof DateValue || right instanceof DateValue) {
    const da = toDate(left);
    const db = toDate(right);
    if (da === null || db === null) return false;
    [a, b] = [da.days, db.days];
  } else {
    [a, b] = [toNumber(left), toNumber(right)];
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
  }
  if (op === "<") return a < b;
  if (op === "<=") return a <= b;
  if (op === ">") return a > b;
  return a >= b;
}

function arith(op, left, right) {
  const a = toNumber(left);
  const b = toNumber(right);
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (op === "+") return tidy(a + b);
  if (op === "-") return tidy(a - b);
  if (op === "*") return tidy(a * b);
  if (b === 0) return NaN;
  return tidy(op === "div" ? a / b : a % b); // % keeps the dividend's sign, as XPath's mod
}

function today() {
  const now = new Date();
  return dateFromParts(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

function call(name, args, run) {
  if (name === "if") return toBoolean(run(args[0])) ? run(args[1]) : run(args[2]);
  if (name === "coalesce") {
    const first = run(args[0]);
    return toString(first) !== "" ? first : run(args[1]);
  }
  const v = args.map(run);
  switch (name) {
    case "true": return true;
    case "false": return false;
    case "today": return today();
    case "not": return !toBoolean(v[0]);
    case "selected": {
      const wanted = toString(v[1]).trim();
      if (Array.isArray(v[0])) return v[0].map(toString).includes(wanted);
      return toString(v[0]).split(/\s+/).filter(Boolean).includes(wanted);
    }
    case "count-selected":
      return Array.isArray(v[0]) ? v[0].length : toString(v[0]).split(/\s+/).filter(Boolean).length;
    case "string-length": return [...toString(v[0])].length;
    case "number": return toNumber(v[0]);
    case "int": {
      const n = toNumber(v[0]);
      return Number.isFinite(n) ? Math.trunc(n) + 0 : n;
    }
    case "regex":
      try {
        return new RegExp(toString(v[1])).test(toString(v[0]));
      } catch (error) {
        return false;
      }
    case "date": {
      const d = toDate(v[0]);
      return d === null ? "" : d;
    }
    default: throw new ExpressionError(`Unknown function '${name}'`);
  }
}

/** The value of a parsed (or textual) expression against a map of answers. */
export function evaluate(expression, answers, current = null) {
  const tree = typeof expression === "string" ? parse(expression) : expression;
  const run = (node) => {
    switch (node.kind) {
      case "value": return node.value;
      case "ref": {
        const value = answers[node.name];
        return value === undefined ? null : value;
      }
      case "current": return current;
      case "neg": {
        const n = toNumber(run(node.inner));
        return Number.isNaN(n) ? NaN : -n + 0;
      }
      case "or": return toBoolean(run(node.left)) || toBoolean(run(node.right));
      case "and": return toBoolean(run(node.left)) && toBoolean(run(node.right));
      case "compare": return compare(node.op, run(node.left), run(node.right));
      case "arith": return arith(node.op, run(node.left), run(node.right));
      case "call": return call(node.name, node.args, run);
      default: throw new ExpressionError(`Unsupported '${node.kind}'`);
    }
  };
  return run(tree);
}

export function isTrue(expression, answers) {
  return toBoolean(evaluate(expression, answers));
}

/** Answers from their JSON form (dates as {"date": "YYYY-MM-DD"}). */
export function decodeAnswers(data) {
  const answers = {};
  for (const [name, value] of Object.entries(data || {})) {
    answers[name] = value && typeof value === "object" && !Array.isArray(value) && "date" in value
      ? toDate(value.date) : value;
  }
  return answers;
}

// --- the page --------------------------------------------------------------------------

// How to read a question's value, by the `data-value-kind` its type declares
// (surveyapp/questionnaires/types.py); the same coercions as the type's parse on the server.
const INTEGER_RE = /^-?\d+$/;
const DECIMAL_RE = /^-?(\d+(\.\d*)?|\.\d+)$/;
const checkedValue = (block, name) => block.querySelector(`input[name="${CSS.escape(name)}"]:checked`)?.value ?? null;
const typedText = (block, name) => {
  const input = block.querySelector(`[name="${CSS.escape(name)}"]`);
  const text = input ? input.value.trim() : "";
  return text || null;
};
const READERS = {
  none: () => null,
  text: typedText,
  integer: (block, name) => {
    const text = typedText(block, name);
    return text !== null && INTEGER_RE.test(text) ? Number(text) : null;
  },
  decimal: (block, name) => {
    const text = typedText(block, name);
    return text !== null && DECIMAL_RE.test(text) ? Number(text) : null;
  },
  choice: checkedValue,
  "choice-number": (block, name) => {
    const value = checkedValue(block, name);
    return value === null ? null : Number(value);
  },
  choices: (block, name) => {
    const chosen = [...block.querySelectorAll(`input[name="${CSS.escape(name)}"]:checked`)].map((i) => i.value);
    return chosen.length ? chosen : null;
  },
  rank: (block, name) => {
    const chosen = [...block.querySelectorAll(`select[name^="${CSS.escape(name)}-"]`)].map((s) => s.value);
    return chosen.length && chosen.every(Boolean) ? chosen : null;
  },
  date: (block, name) => {
    const parts = ["-day", "-month", "-year"].map((suffix) => typedText(block, name + suffix) ?? "");
    if (!parts.every((p) => /^\d+$/.test(p)) || parts[2].length !== 4) return null;
    return dateFromParts(Number(parts[2]), Number(parts[1]), Number(parts[0]));
  },
};

/** A question's typed value from its inputs, as the server's parse gives it (null when empty or invalid). */
function readValue(block) {
  const reader = READERS[block.dataset.valueKind] || READERS.text;
  return reader(block, block.dataset.question);
}

function setShown(block, shown) {
  if (block.hidden === !shown) return;
  block.hidden = !shown;
  block.disabled = !shown;
  const marker = block.querySelector('input[name="_shown"]');
  if (marker) marker.disabled = !shown;
}

/** Re-evaluate every condition of the form, in order, as runtime.visible_questions does. */
export function refresh(form, stored) {
  const context = { ...stored };
  for (const block of form.querySelectorAll("[data-question]")) {
    const name = block.dataset.question;
    let shown = true;
    if (block.dataset.relevant) {
      try {
        shown = isTrue(block.dataset.relevant, context);
      } catch (error) {
        shown = true; // fail open: the server decides
      }
    }
    setShown(block, shown);
    if (!shown) delete context[name];
    else if (block.dataset.valueKind !== "stored") context[name] = readValue(block); // read-only: as sent
  }
}

function start() {
  const data = document.getElementById("app-answers");
  const form = document.querySelector("form [data-question]")?.closest("form");
  if (!data || !form || !form.querySelector("[data-relevant]")) return;
  let stored;
  try {
    stored = decodeAnswers(JSON.parse(data.textContent));
  } catch (error) {
    return;
  }
  const update = () => refresh(form, stored);
  form.addEventListener("change", update);
  form.addEventListener("input", update);
}

if (typeof document !== "undefined") start();

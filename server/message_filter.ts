/**
 * The console's message filter: a small language read by a parser, never
 * evaluated as code.
 *
 * A filter is one or more clauses joined by `&&`, all of which must hold.
 * A clause is `<field><operator><operand>`:
 * - field: `key`, `header.<name>`, or a dotted path into the JSON value
 *   (`user.address.city`, `items.0.id`; prefix it with `value.` when the
 *   value has a field named `key` or `header`; `value` alone is the whole value);
 * - operator: `=`, `!=`, `~` (contains, ignoring case), `>`, `>=`, `<`, `<=`;
 * - operand: text up to the next `&&`, spaces around it trimmed, or a JSON
 *   string in double quotes to hold `&&`, spaces or quotes.
 *
 * `=` and `!=` compare numbers as numbers and anything else as text (an
 * object or array as its JSON); the comparisons need a number on both sides.
 * A field a message lacks matches only `!=`.
 */

import { StreamBoardError } from "../pipeline/errors.ts";
import type { Headers, Json } from "../pipeline/ports.ts";

/** Longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 500;
/** Most clauses in one filter. */
export const MAX_CLAUSES = 10;

/** A filter that cannot be read; its message says where and what is expected. */
export class InvalidFilterError extends StreamBoardError {
  constructor(message: string) {
    super("invalid-filter", message, { retriable: false });
    this.name = "InvalidFilterError";
  }
}

/** What a filter looks at of a message. */
export interface FilterableMessage {
  key: string | null;
  headers: Headers;
  /** The value parsed as JSON; `undefined` when it is not JSON. */
  json: Json | undefined;
  /** The value as text. */
  text: string;
}

type Operator = "=" | "!=" | "~" | ">" | ">=" | "<" | "<=";

/** Longest operators first, so `>=` is not read as `>` followed by `=...`. */
const OPERATORS: readonly Operator[] = [">=", "<=", "!=", "=", "~", ">", "<"];

type Field =
  | { kind: "key" }
  | { kind: "header"; name: string }
  | { kind: "value"; path: string[] };

interface Clause {
  field: Field;
  operator: Operator;
  operand: string;
}

/** A parsed filter: whether a message matches. */
export type MessageFilter = (message: FilterableMessage) => boolean;

/**
 * Reads a filter; an empty or blank one matches every message.
 *
 * @throws {InvalidFilterError} naming the clause and what is wrong with it
 */
export function parseFilter(text: string): MessageFilter {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new InvalidFilterError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (text.trim() === "") return () => true;
  const clauses = splitClauses(text).map(parseClause);
  if (clauses.length > MAX_CLAUSES) {
    throw new InvalidFilterError(`a filter has at most ${MAX_CLAUSES} clauses joined by &&`);
  }
  return (message) => clauses.every((clause) => holds(clause, message));
}

/** Splits on `&&` outside double-quoted operands. */
function splitClauses(text: string): string[] {
  const clauses: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "&" && text[i + 1] === "&") {
      clauses.push(text.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  if (quoted) throw new InvalidFilterError("a double quote of the filter is not closed");
  clauses.push(text.slice(start));
  return clauses;
}

function parseClause(raw: string): Clause {
  const text = raw.trim();
  const shown = JSON.stringify(text.slice(0, 60));
  if (text === "") throw new InvalidFilterError("an && of the filter has no clause beside it");
  const match = /^([^=!~<>"]+?)\s*(>=|<=|!=|=|~|>|<)\s*(.*)$/s.exec(text);
  if (!match || !OPERATORS.includes(match[2] as Operator)) {
    throw new InvalidFilterError(
      `clause ${shown}: expected <field><operator><value> with an operator among ${
        OPERATORS.join(" ")
      }, e.g. key=user-1, header.reason~late, amount>=10`,
    );
  }
  const operator = match[2] as Operator;
  const field = parseField(match[1].trim(), shown);
  const operand = parseOperand(match[3].trim(), shown);
  if ([">", ">=", "<", "<="].includes(operator) && toNumber(operand) === undefined) {
    throw new InvalidFilterError(`clause ${shown}: ${operator} needs a number, got ${operand}`);
  }
  return { field, operator, operand };
}

function parseField(text: string, shown: string): Field {
  if (!/^[\w.$@-]+$/.test(text) || text.split(".").some((segment) => segment === "")) {
    throw new InvalidFilterError(
      `clause ${shown}: the field must be key, header.<name> or a dotted path such as a.b.c`,
    );
  }
  if (text === "key") return { kind: "key" };
  if (text.startsWith("header.")) return { kind: "header", name: text.slice("header.".length) };
  if (text === "value") return { kind: "value", path: [] };
  const path = text.startsWith("value.") ? text.slice("value.".length) : text;
  return { kind: "value", path: path.split(".") };
}

function parseOperand(text: string, shown: string): string {
  if (!text.startsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "string") return value;
  } catch {
    // Said below: the same message for a quote that does not end the operand.
  }
  throw new InvalidFilterError(
    `clause ${shown}: a quoted value must be one JSON string ("like \\"this\\"")`,
  );
}

/** The field's value in a message, or `undefined` when the message lacks it. */
function fieldOf(field: Field, message: FilterableMessage): Json | undefined {
  if (field.kind === "key") return message.key ?? undefined;
  if (field.kind === "header") {
    return Object.hasOwn(message.headers, field.name) ? message.headers[field.name] : undefined;
  }
  if (field.path.length === 0) return message.json ?? message.text;
  let at: Json | undefined = message.json;
  for (const segment of field.path) {
    if (at === null || typeof at !== "object") return undefined;
    // Own properties only: `constructor` or `__proto__` of any object is no field of the message.
    if (!Object.hasOwn(at, segment)) return undefined;
    at = (at as Record<string, Json>)[segment];
  }
  return at;
}

function holds({ field, operator, operand }: Clause, message: FilterableMessage): boolean {
  const value = fieldOf(field, message);
  if (value === undefined) return operator === "!=";
  switch (operator) {
    case "=":
      return equals(value, operand);
    case "!=":
      return !equals(value, operand);
    case "~":
      return asText(value).toLowerCase().includes(operand.toLowerCase());
    default: {
      const number = typeof value === "number" || typeof value === "string"
        ? toNumber(String(value))
        : undefined;
      if (number === undefined) return false;
      const bound = toNumber(operand)!;
      if (operator === ">") return number > bound;
      if (operator === ">=") return number >= bound;
      if (operator === "<") return number < bound;
      return number <= bound;
    }
  }
}

function equals(value: Json, operand: string): boolean {
  if (typeof value === "number") return value === toNumber(operand);
  return asText(value) === operand;
}

function asText(value: Json): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A decimal number written out in full (no `0x`, `Infinity` or blanks), else `undefined`.
 * The pattern has one way to match each text, so a long run of digits in a
 * message costs linear time (two adjacent digit runs made it quadratic).
 */
function toNumber(text: string): number | undefined {
  if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

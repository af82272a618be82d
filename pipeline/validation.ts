/**
 * Small, dependency-free readers of untrusted JSON by path, shared by every
 * stream's validation. Each throws an `InvalidFieldError` that names the
 * field, what was expected and what came, so the reason stored with a
 * dead-letter record tells a person exactly what to fix. Each costs time in
 * proportion to its limits, never to the size of what came, so a hostile
 * value (a megabyte string, a deep or huge array) is refused as cheaply as a
 * wrong type.
 */

import { RecordError } from "./record_error.ts";
import { jsonShapeProblem } from "./json_shape.ts";

/** What an `InvalidFieldError` says about the field that failed. */
export interface InvalidField {
  /** Dotted path of the offending field, for example `dob.date`. */
  path: string;
  /** What the field must be, in words: `an ISO date`. */
  expected: string;
  /** The value that came, rendered short with `describe`. */
  got: unknown;
  /** What came, in words, when that says more than the value (`250 characters`). */
  gotText?: string;
}

/** A value that failed validation; `path` is the dotted field path. */
export class InvalidFieldError extends RecordError {
  /** Dotted path of the offending field, for example `dob.date`. */
  readonly path: string;

  constructor({ path, expected, got, gotText }: InvalidField) {
    super("invalid", `\`${path}\` must be ${expected}, got ${gotText ?? describe(got)}`, path);
    this.name = "InvalidFieldError";
    this.path = path;
  }
}

const PREVIEW_CHARS = 60;
const PREVIEW_ITEMS = 4;

/**
 * Renders a value for an error message, short enough to read: at most about
 * 60 characters, looking at no more than a few items of an array and never
 * listing an object (`{...}`), so a huge or deep value costs no more to
 * describe than a small one.
 */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = preview(value, 0);
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 3)}...` : text;
}

function preview(value: unknown, depth: number): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > PREVIEW_CHARS ? value.slice(0, PREVIEW_CHARS) : value);
  }
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    if (depth >= 2) return "[...]";
    const parts = value.slice(0, PREVIEW_ITEMS).map((item) => preview(item, depth + 1));
    if (value.length > PREVIEW_ITEMS) parts.push("...");
    return `[${parts.join(",")}]`;
  }
  // Listing an object's keys costs in proportion to how many it has, so an object is not listed.
  return "{...}";
}

const PATHS = new Map<string, string[]>();

/**
 * Reads `path` (dotted) from a JSON value; `undefined` where any step is
 * missing. Only a value's own keys count: `constructor` or `__proto__` never
 * reach the object's prototype.
 */
export function at(root: unknown, path: string): unknown {
  let steps = PATHS.get(path);
  if (steps === undefined) PATHS.set(path, steps = path.split("."));
  let value: unknown = root;
  for (const step of steps) {
    if (!isObject(value) || !Object.hasOwn(value, step)) return undefined;
    value = value[step];
  }
  return value;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** How long a text field may be and whether it may be blank. */
export interface TextLimits {
  /** Most characters, counted as UTF-16 code units (an emoji counts two). */
  max: number;
  /** Whether an empty or all-blank text is valid; default false. */
  allowEmpty?: boolean;
  /**
   * Whether tab, line feed and carriage return are valid, for free text such
   * as a description or a review; default false (names, ids, URLs).
   */
  multiline?: boolean;
}

/** C0 and C1 control characters, DEL included. */
// deno-lint-ignore no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same but tab, line feed and carriage return. */
// deno-lint-ignore no-control-regex -- finding control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Checks a text value against `limits`: a string of at most `max`
 * characters, no control character (U+0000–U+001F, U+007F–U+009F; tab and
 * line breaks allowed when `multiline`), no lone surrogate, and not blank
 * unless `allowEmpty`. Nothing is trimmed or stripped: a text that breaks a
 * rule is refused, never repaired.
 *
 * @throws {InvalidFieldError} naming `path`, the rule and what came
 */
export function checkText(value: unknown, path: string, limits: TextLimits): string {
  const { max, allowEmpty = false, multiline = false } = limits;
  const kind = allowEmpty ? "a string" : "a non-empty string";
  if (typeof value !== "string") throw new InvalidFieldError({ path, expected: kind, got: value });
  if (value.length > max) {
    throw new InvalidFieldError({
      path,
      expected: `${kind} of at most ${max} characters`,
      got: value,
      gotText: `${value.length} characters`,
    });
  }
  const control = (multiline ? CONTROL_BUT_LINES : CONTROL).exec(value);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new InvalidFieldError({
      path,
      expected: multiline
        ? "a string without control characters other than tab and line breaks"
        : "a string without control characters (U+0000-U+001F, U+007F-U+009F)",
      got: value,
      gotText: `U+${code} at character ${control.index + 1} of ${describe(value)}`,
    });
  }
  if (!value.isWellFormed()) {
    throw new InvalidFieldError({
      path,
      expected: "a string without lone surrogates (invalid Unicode)",
      got: value,
    });
  }
  if (!allowEmpty && value.trim() === "") {
    throw new InvalidFieldError({ path, expected: kind, got: value });
  }
  return value;
}

/** The text at `path`, checked against `limits` (see `checkText`). */
export function textAt(root: unknown, path: string, limits: TextLimits): string {
  return checkText(at(root, path), path, limits);
}

/** The text at `path`, or `undefined` when it is absent or null; a present value is checked. */
export function optionalTextAt(
  root: unknown,
  path: string,
  limits: TextLimits,
): string | undefined {
  const value = at(root, path);
  return value === undefined || value === null ? undefined : checkText(value, path, limits);
}

/** The documented range of a numeric field. */
export interface NumberBounds {
  /** Whether only whole numbers are valid; default false. */
  integer?: boolean;
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. */
  max: number;
}

/**
 * Checks that a value is a finite number within `bounds` (a whole one when
 * `bounds.integer`). A JSON number is judged by its value: `1e2` is 100.
 *
 * @throws {InvalidFieldError} naming `path` and the range
 */
export function checkNumber(value: unknown, path: string, bounds: NumberBounds): number {
  const { integer = false, min, max } = bounds;
  if (
    typeof value !== "number" || !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) || value < min || value > max
  ) {
    throw new InvalidFieldError({
      path,
      expected: `${integer ? "an integer" : "a number"} from ${min} to ${max}`,
      got: value,
    });
  }
  return value;
}

/** A finite number at `path` within `bounds` (see `checkNumber`). */
export function numberAt(root: unknown, path: string, bounds: NumberBounds): number {
  return checkNumber(at(root, path), path, bounds);
}

/** A date, optionally with a time and a zone, in ISO 8601's extended form. */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date or date-time string at `path` (`1992-03-08T15:13:16.688Z`),
 * returned as ms since the epoch. Only that form: `Date.parse` alone would
 * also take `"2020-01-01 (anything)"`.
 */
export function isoDateAt(root: unknown, path: string): number {
  const value = at(root, path);
  const ms = typeof value === "string" && value.length <= 64 && ISO_DATE.test(value)
    ? Date.parse(value)
    : NaN;
  if (Number.isNaN(ms)) throw new InvalidFieldError({ path, expected: "an ISO date", got: value });
  return ms;
}

/** How deep and how big a JSON value kept as received may be. */
export interface ShapeLimits {
  /** Most levels of nested objects and arrays (the record itself is level 1). */
  maxDepth: number;
  /** Most values in all, containers and leaves together. */
  maxValues: number;
}

/**
 * Checks that a JSON value kept as received stays within `limits`, so a
 * stored copy is as cheap to read back, render and export as a real record.
 * Stops at the first value past a limit, so the cost is bounded by the
 * limits, except that listing one object's keys costs in proportion to their
 * number (as parsing them did).
 *
 * @throws {InvalidFieldError} for `path` when the value is deeper or bigger
 */
export function checkShape(value: unknown, path: string, limits: ShapeLimits): void {
  const refuse = (gotText: string) =>
    new InvalidFieldError({
      path,
      expected: `at most ${limits.maxDepth} levels deep with at most ${limits.maxValues} values`,
      got: value,
      gotText,
    });
  if (value === null || typeof value !== "object") return;
  // Containers only: a leaf is counted, never queued.
  const pending: Array<[object, number]> = [[value, 1]];
  let count = 1;
  const add = (child: unknown, depth: number) => {
    if (++count > limits.maxValues) throw refuse(`more than ${limits.maxValues} values`);
    if (child !== null && typeof child === "object") pending.push([child, depth]);
  };
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (depth > limits.maxDepth) throw refuse(`more than ${limits.maxDepth} levels`);
    if (Array.isArray(next)) {
      for (const item of next) add(item, depth + 1);
    } else {
      const object = next as Record<string, unknown>;
      for (const key of Object.keys(object)) add(object[key], depth + 1);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a record's bytes as UTF-8 JSON.
 *
 * @throws {RecordError} (`invalid`) when the bytes are not UTF-8, nest or
 * hold more than `json_shape.ts` allows (refused before the costly parse), or
 * are not JSON.
 */
export function decodeJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new RecordError("invalid", "record is not valid UTF-8");
  }
  const shape = jsonShapeProblem(bytes, text);
  if (shape !== undefined) throw new RecordError("invalid", shape);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordError("invalid", `record is not JSON: ${(error as Error).message}`);
  }
}

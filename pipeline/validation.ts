/**
 * Small, dependency-free readers of untrusted JSON by path, shared by every
 * stream's validation. Each throws an `InvalidFieldError` that names the
 * field, what was expected and what came, so the reason stored with a
 * dead-letter record tells a person exactly what to fix.
 */

import { RecordError } from "./record_error.ts";
import { jsonShapeProblem } from "./json_shape.ts";

/** A value that failed validation; `path` is the dotted field path. */
export class InvalidFieldError extends RecordError {
  /** Dotted path of the offending field, for example `dob.date`. */
  readonly path: string;

  constructor(path: string, expected: string, got: unknown) {
    super("invalid", `\`${path}\` must be ${expected}, got ${describe(got)}`, path);
    this.name = "InvalidFieldError";
    this.path = path;
  }
}

/** Renders a value for an error message, short enough to read. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const PATHS = new Map<string, string[]>();

/** Reads `path` (dotted) from a JSON value; `undefined` where any step is missing. */
export function at(root: unknown, path: string): unknown {
  let steps = PATHS.get(path);
  if (steps === undefined) PATHS.set(path, steps = path.split("."));
  let value: unknown = root;
  for (const step of steps) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A string at `path`; non-empty (after trimming) unless `allowEmpty`. */
export function stringAt(root: unknown, path: string, allowEmpty = false): string {
  const value = at(root, path);
  if (typeof value !== "string" || (!allowEmpty && value.trim() === "")) {
    throw new InvalidFieldError(path, allowEmpty ? "a string" : "a non-empty string", value);
  }
  return value;
}

/** A string at `path`, or `fallback` when absent; present values must be strings. */
export function optionalStringAt(root: unknown, path: string, fallback = ""): string {
  const value = at(root, path);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") throw new InvalidFieldError(path, "a string", value);
  return value;
}

/** A finite number at `path`, optionally an integer within bounds. */
export function numberAt(
  root: unknown,
  path: string,
  options: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const value = at(root, path);
  const { integer = false, min = -Infinity, max = Infinity } = options;
  if (
    typeof value !== "number" || !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) || value < min || value > max
  ) {
    const kind = integer ? "an integer" : "a number";
    const range = min > -Infinity && max < Infinity
      ? ` from ${min} to ${max}`
      : min > -Infinity
      ? ` of at least ${min}`
      : "";
    throw new InvalidFieldError(path, kind + range, value);
  }
  return value;
}

/** An ISO 8601 date-time string at `path`, returned as ms since the epoch. */
export function isoDateAt(root: unknown, path: string): number {
  const value = at(root, path);
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)
    ? Date.parse(value)
    : NaN;
  if (Number.isNaN(ms)) throw new InvalidFieldError(path, "an ISO date", value);
  return ms;
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
  const shape = jsonShapeProblem(bytes);
  if (shape !== undefined) throw new RecordError("invalid", shape);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordError("invalid", `record is not JSON: ${(error as Error).message}`);
  }
}

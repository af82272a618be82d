/**
 * Where each record of a JSON document lies in its bytes, so a producer can
 * send every record exactly as it arrived (re-serialising would turn `1.10`
 * into `1.1`, `1e2` into `100`, `\u00e9` into `é`, and invalid UTF-8 into
 * U+FFFD, and the dead letter would no longer be the input).
 *
 * The scanner works on bytes: JSON's structural characters are ASCII and
 * never occur inside a multi-byte UTF-8 sequence, so it needs no decoding and
 * keeps invalid UTF-8 inside strings as it is. It expects a document that
 * `JSON.parse` accepted (of the bytes decoded with replacement), which the
 * callers check first.
 */

import { isObject } from "../validation.ts";
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from "../json_bytes.ts";

/** A byte range `[start, end)`. */
export interface ByteSpan {
  start: number;
  end: number;
}

const decoder = new TextDecoder();

/** Length of a UTF-8 byte-order mark at the start of `bytes` (0 or 3); decoders drop it. */
export function bomLength(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** Whether `byte` is JSON whitespace (space, tab, line feed, carriage return). */
function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function skipWhitespace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && isWhitespace(bytes[at])) at++;
  return at;
}

/** The index after the string whose opening quote is at `at`. */
function stringEnd(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    if (bytes[i] === BACKSLASH) i++;
    else if (bytes[i] === QUOTE) return i + 1;
  }
  throw new SyntaxError(`unterminated JSON string at byte ${at}`);
}

/** The index after the JSON value that starts at `at`. */
function valueEnd(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
    let depth = 0;
    for (let i = at; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) i = stringEnd(bytes, i) - 1;
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) depth++;
      else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        if (--depth === 0) return i + 1;
      }
    }
    throw new SyntaxError(
      `unclosed JSON ${first === OPEN_ARRAY ? "array" : "object"} at byte ${at}`,
    );
  }
  let i = at;
  while (
    i < bytes.length && !isWhitespace(bytes[i]) && bytes[i] !== COMMA &&
    bytes[i] !== CLOSE_ARRAY && bytes[i] !== CLOSE_OBJECT
  ) i++;
  if (i === at) throw new SyntaxError(`a JSON value was expected at byte ${at}`);
  return i;
}

/** After a value inside a container: the index past a `,`, or of the closing `close`. */
function afterMember(bytes: Uint8Array, at: number, close: number): number {
  const i = skipWhitespace(bytes, at);
  if (bytes[i] === COMMA) return i + 1;
  if (bytes[i] === close) return i;
  throw new SyntaxError(`"," or "${String.fromCharCode(close)}" was expected at byte ${i}`);
}

/**
 * The spans of the elements of the array whose `[` is at `at`, each without
 * the whitespace around it.
 *
 * @throws {SyntaxError} when the bytes there are not a JSON array.
 */
export function arrayElementSpans(bytes: Uint8Array, at: number): ByteSpan[] {
  if (bytes[at] !== OPEN_ARRAY) throw new SyntaxError(`a JSON array was expected at byte ${at}`);
  const spans: ByteSpan[] = [];
  let i = skipWhitespace(bytes, at + 1);
  while (bytes[i] !== CLOSE_ARRAY) {
    const start = skipWhitespace(bytes, i);
    const end = valueEnd(bytes, start);
    spans.push({ start, end });
    i = afterMember(bytes, end, CLOSE_ARRAY);
  }
  return spans;
}

/**
 * The members of the object whose `{` is at `at`: each key (decoded) and the
 * span of its value, in document order (a repeated key appears each time).
 *
 * @throws {SyntaxError} when the bytes there are not a JSON object.
 */
export function objectMemberSpans(
  bytes: Uint8Array,
  at: number,
): Array<{ key: string; value: ByteSpan }> {
  if (bytes[at] !== OPEN_OBJECT) throw new SyntaxError(`a JSON object was expected at byte ${at}`);
  const members: Array<{ key: string; value: ByteSpan }> = [];
  let i = skipWhitespace(bytes, at + 1);
  while (bytes[i] !== CLOSE_OBJECT) {
    const keyStart = skipWhitespace(bytes, i);
    if (bytes[keyStart] !== QUOTE) {
      throw new SyntaxError(`a JSON object key was expected at byte ${keyStart}`);
    }
    const keyEnd = stringEnd(bytes, keyStart);
    const key = JSON.parse(decoder.decode(bytes.subarray(keyStart, keyEnd))) as string;
    const colon = skipWhitespace(bytes, keyEnd);
    if (bytes[colon] !== COLON) throw new SyntaxError(`":" was expected at byte ${colon}`);
    const start = skipWhitespace(bytes, colon + 1);
    const end = valueEnd(bytes, start);
    members.push({ key, value: { start, end } });
    i = afterMember(bytes, end, CLOSE_OBJECT);
  }
  return members;
}

/**
 * The spans of the records a JSON document holds, as producers read them: the
 * elements of a top-level array; the elements of the `results` array of a
 * RandomUser response (the last `results` member, as `JSON.parse` keeps the
 * last of a repeated key); otherwise the document itself, without the
 * whitespace around it. A leading byte-order mark is skipped, as decoders do.
 *
 * @throws {SyntaxError} when the bytes are not one JSON value.
 */
export function recordSpans(bytes: Uint8Array): ByteSpan[] {
  const start = skipWhitespace(bytes, bomLength(bytes));
  if (bytes[start] === OPEN_ARRAY) return arrayElementSpans(bytes, start);
  const end = valueEnd(bytes, start);
  if (bytes[start] === OPEN_OBJECT) {
    const results = objectMemberSpans(bytes, start).findLast((m) => m.key === "results");
    if (results && bytes[results.value.start] === OPEN_ARRAY) {
      return arrayElementSpans(bytes, results.value.start);
    }
  }
  return [{ start, end }];
}

/** A record of a JSON document: its parsed value and its bytes exactly as they were. */
export interface JsonItem {
  value: unknown;
  bytes: Uint8Array;
}

/**
 * The records of a JSON document (see `recordSpans`), each parsed and with
 * its own copy of its exact bytes; `undefined` when the bytes are not one
 * JSON value. Invalid UTF-8 is replaced only in the parsed values.
 */
export function documentItems(bytes: Uint8Array): JsonItem[] | undefined {
  const parsed = parseLossy(bytes);
  if (!parsed) return undefined;
  const whole = parsed.value;
  const values = Array.isArray(whole)
    ? whole
    : isObject(whole) && Array.isArray(whole.results)
    ? whole.results
    : [whole];
  return itemsOf(bytes, values);
}

/**
 * Bytes parsed as one JSON value, invalid UTF-8 replaced (for reading keys
 * and shapes, never for what is sent on); `undefined` when they are not JSON.
 */
export function parseLossy(bytes: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(decoder.decode(bytes)) };
  } catch {
    return undefined;
  }
}

/**
 * The records of a JSON document paired with their parsed `values` (those
 * `JSON.parse` gave for the same records, in order).
 *
 * @throws {Error} when the scanner and the parser disagree on how many there
 * are: a bug here, never a property of the input.
 */
export function itemsOf(bytes: Uint8Array, values: readonly unknown[]): JsonItem[] {
  const spans = recordSpans(bytes);
  if (spans.length !== values.length) {
    throw new Error(
      `the JSON scanner found ${spans.length} records where JSON.parse found ${values.length}`,
    );
  }
  return spans.map((span, i) => ({
    value: values[i],
    bytes: bytes.slice(span.start, span.end),
  }));
}

/**
 * A cheap look at JSON text's shape before it is parsed: `JSON.parse` of a
 * megabyte that nests half a million arrays deep, or holds a hundred
 * thousand keys, takes a fifth of a second, while one linear scan of the
 * bytes takes a millisecond. Records nest a few levels and hold tens of
 * values, so these bounds refuse only what no producer sends.
 */

import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from "./json_bytes.ts";

/** Deepest nesting of arrays and objects a record may have. */
export const MAX_JSON_DEPTH = 64;

/** Most values (array items and object members, at every level) a record may hold. */
export const MAX_JSON_VALUES = 10_000;

/**
 * What is wrong with the shape of JSON text (as UTF-8 bytes): too deep or
 * too many values; `undefined` when neither. Looks only at brackets and
 * commas outside strings, so it never fails on text that is not JSON: the
 * parser says what is wrong with that. `text`, when given, is what the
 * bytes decode to (it spares a decode).
 */
export function jsonShapeProblem(bytes: Uint8Array, text?: string): string | undefined {
  const small = bytes.length <= MAX_JSON_VALUES;
  if (small && opensAtMost(text ?? lenient.decode(bytes), MAX_JSON_DEPTH)) return undefined;
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > MAX_JSON_DEPTH) {
        return `record nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
      }
      values++;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    } else if (b === COMMA && ++values > MAX_JSON_VALUES) {
      return `record holds more than ${MAX_JSON_VALUES} values`;
    }
  }
  return undefined;
}

const lenient = new TextDecoder();

/**
 * Whether JSON text holds at most `limit` opening brackets, inside strings
 * or not: then it cannot nest deeper than `limit`. Found with the string's
 * `indexOf`, which runs natively, so a record of ordinary size skips the
 * byte-by-byte scan (it cannot hold more values than it has bytes, either).
 */
function opensAtMost(text: string, limit: number): boolean {
  let opens = 0;
  for (const bracket of ["{", "["]) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) {
      if (++opens > limit) return false;
    }
  }
  return true;
}

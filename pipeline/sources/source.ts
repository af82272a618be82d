/** What every producer source yields: a record's key and bytes, ready for the broker. */

import { parseLossy } from "./json_spans.ts";

/** One record from a source. */
export interface SourceRecord {
  key: string | null;
  value: Uint8Array;
}

const encoder = new TextEncoder();

/** Serialises a JSON record, keyed by `keyOf` (null when the record has no usable key). */
export function jsonRecord(value: unknown, keyOf: (value: unknown) => string | null): SourceRecord {
  return { key: keyOf(value), value: encoder.encode(JSON.stringify(value)) };
}

/**
 * A record sent as the bytes it arrived as, keyed by `keyOf` of what they
 * parse to; bytes that are not JSON (or not UTF-8: decoded with replacement
 * only to find the key) get no key, and the processor dead-letters them.
 */
export function rawRecord(
  bytes: Uint8Array,
  keyOf: (value: unknown) => string | null,
): SourceRecord {
  const parsed = parseLossy(bytes);
  return { key: parsed ? keyOf(parsed.value) : null, value: bytes };
}

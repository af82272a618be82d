/** What every producer source yields: a record's key and bytes, ready for the broker. */

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

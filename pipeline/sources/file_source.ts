/**
 * Replays real records from a file: a saved RandomUser API response
 * (`{"results": [...]}`), a JSON array, or one JSON record per line. A line
 * that is not JSON is still sent, as it is, so the processor dead-letters it
 * with its reason instead of it being lost here.
 */

import { jsonRecord, type SourceRecord } from "./source.ts";

const encoder = new TextEncoder();

/**
 * Parses a file's text into records keyed by `keyOf`.
 *
 * @throws {SyntaxError} when the file is empty.
 */
export function parseRecordFile(
  text: string,
  keyOf: (value: unknown) => string | null,
): SourceRecord[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new SyntaxError("the file holds no records");
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const whole = JSON.parse(trimmed);
      const items = Array.isArray(whole)
        ? whole
        : Array.isArray(whole?.results)
        ? whole.results
        : [whole];
      return items.map((item: unknown) => jsonRecord(item, keyOf));
    } catch {
      // not one JSON document: read it as one record per line below
    }
  }
  return trimmed.split(/\r?\n/).filter((line) => line.trim() !== "").map((line) => {
    try {
      return jsonRecord(JSON.parse(line), keyOf);
    } catch {
      return { key: null, value: encoder.encode(line) };
    }
  });
}

/** Yields the records of the file at `path`. */
export async function* fileRecords(
  path: string,
  keyOf: (value: unknown) => string | null,
): AsyncGenerator<SourceRecord> {
  yield* parseRecordFile(await Deno.readTextFile(path), keyOf);
}

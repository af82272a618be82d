/**
 * Replays real records from a file: a saved RandomUser API response
 * (`{"results": [...]}`), a JSON array, or one JSON record per line. Every
 * record is sent as the bytes the file holds for it, so a dead letter is the
 * input byte for byte: a line that is not JSON or not UTF-8 is sent as it is,
 * and the processor dead-letters it with its reason instead of it being lost
 * here.
 */

import { rawRecord, type SourceRecord } from "./source.ts";
import { bomLength, documentItems } from "./json_spans.ts";

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Whether `byte` is JSON whitespace. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CARRIAGE_RETURN || byte === LINE_FEED;
}

/** Whether bytes hold only JSON whitespace (a blank line carries no record). */
function isBlank(bytes: Uint8Array): boolean {
  return bytes.every(isSpace);
}

/**
 * The lines of `bytes`, split at `\n`, each without its terminator: a `\r`
 * just before the `\n` (or at the end of the file) is part of a CRLF ending
 * and is dropped; any other byte stays.
 */
export function splitLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(LINE_FEED, start);
    if (end < 0) end = bytes.length;
    const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    lines.push(bytes.slice(start, stop));
    start = end + 1;
  }
  return lines;
}

/**
 * Reads a file's bytes into records keyed by `keyOf`. A file that is one
 * JSON document gives its records' exact spans (the whitespace around a
 * record is the document's, not the record's); any other file gives one
 * record per non-blank line. A UTF-8 byte-order mark at the start is not
 * part of any record.
 *
 * @throws {SyntaxError} when the file is empty.
 */
export function parseRecordFile(
  bytes: Uint8Array,
  keyOf: (value: unknown) => string | null,
): SourceRecord[] {
  const body = bytes.subarray(bomLength(bytes));
  if (isBlank(body)) throw new SyntaxError("the file holds no records");
  const first = body.find((b) => !isSpace(b));
  if (first === 0x7b || first === 0x5b) {
    const items = documentItems(body);
    if (items) return items.map((item) => ({ key: keyOf(item.value), value: item.bytes }));
  }
  return splitLines(body).filter((line) => !isBlank(line)).map((line) => rawRecord(line, keyOf));
}

/** Yields the records of the file at `path`. */
export async function* fileRecords(
  path: string,
  keyOf: (value: unknown) => string | null,
): AsyncGenerator<SourceRecord> {
  yield* parseRecordFile(await Deno.readFile(path), keyOf);
}

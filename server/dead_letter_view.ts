/**
 * What the console shows of a dead-letter record, and the filter its list and
 * its replay take. Pure: the records come from `dead_letters.ts`.
 */

import type { BrokerRecord } from "../pipeline/ports.ts";
import { REPLAY_HEADER, type ReplayOutcome } from "../pipeline/replay.ts";
import { HttpError } from "./http_error.ts";
import { maskLoginSecrets } from "./login_secret_mask.ts";

/** Longest value shown, bytes: a `too-large` dead letter holds more than a page should carry. */
export const MAX_VALUE_BYTES = 16_384;

/** A dead-letter record as the console lists it. */
export interface DeadLetterView {
  partition: number;
  offset: number;
  /** The original record's time (a dead letter keeps it), ISO 8601. */
  timestamp: string;
  /** The `reason` header: what a person reads. */
  reason: string;
  /** The stable code: `invalid`, `too-large`, `late`, `duplicate`, `processing-error`... */
  code: string;
  exception: { class: string; message: string } | null;
  /** Where the record was refused; `null` for a record without the headers. */
  source: { topic: string; partition: number; offset: number } | null;
  /** The original bytes as UTF-8 text (replacement characters where they are not UTF-8), login secrets masked. */
  value: string;
  /** The original bytes in base64, given only when they are not UTF-8. */
  valueBase64?: string;
  /** Size of the original bytes. */
  valueBytes: number;
  /** True when `value` holds only the first `MAX_VALUE_BYTES` bytes. */
  truncated: boolean;
  /** The dead letter this record is a refused replay of (`<topic>/<partition>/<offset>`), else `null`. */
  replayOf: string | null;
  /** What became of the last replay of this record's dead letter, `null` when none was recorded. */
  replay: ReplayOutcome | null;
}

const lenient = new TextDecoder();

/**
 * The view of a dead-letter record, with the outcome of its replay if one
 * was recorded; login secrets in its bytes are masked (the size stays).
 */
export function deadLetterView(
  record: BrokerRecord,
  replay: ReplayOutcome | undefined,
): DeadLetterView {
  const h = record.headers;
  // Masked whole before the cut: a secret across the cut would not be found in the part.
  const bytes = maskLoginSecrets(record.value).subarray(0, MAX_VALUE_BYTES);
  const truncated = bytes.byteLength < record.value.byteLength;
  let value: string;
  let valueBase64: string | undefined;
  try {
    // A cut may split a character: the bytes before it decide whether the value is text.
    value = new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: truncated });
  } catch {
    value = lenient.decode(bytes);
    valueBase64 = base64(bytes);
  }
  const sourceOffset = Number(h["source.offset"]);
  const sourcePartition = Number(h["source.partition"]);
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    reason: h.reason ?? "",
    code: h["error.code"] ?? h.reason ?? "",
    exception: h["exception.class"] === undefined
      ? null
      : { class: h["exception.class"], message: h["exception.message"] ?? "" },
    source: h["source.topic"] === undefined ||
        !Number.isInteger(sourceOffset) || !Number.isInteger(sourcePartition)
      ? null
      : { topic: h["source.topic"], partition: sourcePartition, offset: sourceOffset },
    value,
    ...(valueBase64 === undefined ? {} : { valueBase64 }),
    valueBytes: record.value.byteLength,
    truncated,
    replayOf: h[REPLAY_HEADER] ?? null,
    replay: replay ?? null,
  };
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Which dead letters a list or a replay takes. */
export interface DeadLetterFilter {
  /** A code (`late`) or a whole reason text; every reason when absent. */
  reason?: string;
  /** Earliest record time, ms since the epoch (inclusive). */
  from?: number;
  /** Latest record time, ms since the epoch (exclusive). */
  to?: number;
}

/** True when the dead letter passes the filter. */
export function matchesFilter(filter: DeadLetterFilter, record: BrokerRecord): boolean {
  const { reason, from, to } = filter;
  if (reason !== undefined && record.headers["error.code"] !== reason) {
    if (record.headers.reason !== reason) return false;
  }
  if (from !== undefined && record.timestamp < from) return false;
  if (to !== undefined && record.timestamp >= to) return false;
  return true;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A filter from its parts as given (query parameters or a JSON body).
 *
 * @throws {HttpError} 400 naming the part, what it takes and what came
 */
export function parseFilter(
  given: { reason?: unknown; from?: unknown; to?: unknown },
): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (given.reason !== undefined) {
    if (typeof given.reason !== "string" || given.reason === "" || given.reason.length > 1000) {
      throw new HttpError(400, `reason must be a code or reason text, got ${shown(given.reason)}`);
    }
    filter.reason = given.reason;
  }
  for (const name of ["from", "to"] as const) {
    const text = given[name];
    if (text === undefined) continue;
    const ms = typeof text === "string" && ISO_TIME.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(ms)) {
      throw new HttpError(
        400,
        `${name} must be an ISO 8601 time such as 2026-01-10T12:00:00Z, got ${shown(text)}`,
      );
    }
    filter[name] = ms;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
    throw new HttpError(400, "from must be before to");
  }
  return filter;
}

/** The filter of a query string (`reason`, `from`, `to`, each at most once). */
export function filterOfQuery(params: URLSearchParams): DeadLetterFilter {
  const given: Record<string, string> = {};
  for (const name of ["reason", "from", "to"]) {
    const values = params.getAll(name);
    if (values.length > 1) {
      throw new HttpError(400, `${name} may be given once, got it ${values.length} times`);
    }
    if (values.length === 1) given[name] = values[0];
  }
  return parseFilter(given);
}

function shown(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.slice(0, 60));
}

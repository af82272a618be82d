/**
 * Dead-letter records: the input bytes unchanged, with headers saying where
 * they came from and why they were refused, in the style of Kafka Streams'
 * KIP-1034 (`error.code`, `exception.class`, `exception.message`,
 * `exception.stacktrace`) besides our own `reason` and `source.*` headers.
 */

import type { BrokerRecord, OutgoingRecord } from "./ports.ts";
import { isRecordError } from "./record_error.ts";
import { REPLAY_HEADER } from "./replay.ts";

/**
 * Reason of a dead-letter record that came later than the watermark; its
 * headers `event.time` and `watermark` (zone-less UTC) say by how much.
 */
export const LATE = "late";

/** Code (and rejected-count key) of a record that failed validation. */
export const INVALID = "invalid";

/** Code (and rejected-count key) of a record larger than `maxRecordBytes`, refused unparsed. */
export const TOO_LARGE = "too-large";

/**
 * Code, reason and rejected-count key of a record that made our code throw:
 * a bug, logged loudly, dead-lettered with the error's stack instead of
 * stopping the stream.
 */
export const PROCESSING_ERROR = "processing-error";

/** Dimension counting dead-lettered records by code, so the dashboard shows them. */
export const REJECTED_DIMENSION = "rejected";

/** Longest `exception.message` kept, in characters. */
export const MAX_MESSAGE_CHARS = 1_000;

/** Longest `exception.stacktrace` kept, in characters. */
export const MAX_STACK_CHARS = 4_000;

/** Why a record is dead-lettered. */
export interface Refusal {
  /** Stable code: `invalid`, `too-large`, `late`, `processing-error`...; also the rejected-count key. */
  code: string;
  /** The `reason` header: what a person reads (the validation message naming the field, or the code). */
  reason: string;
  /** Dotted path of the field to blame, when one is. */
  field?: string;
  /** The error behind the refusal, when there was one. */
  exception?: { class: string; message: string; stacktrace?: string };
  /** More headers (`event.time` and `watermark` of a late record). */
  headers?: Record<string, string>;
}

/** The `reason` and `source.*` headers of a dead-letter record. */
export function deadLetterHeaders(record: BrokerRecord, reason: string): Record<string, string> {
  return {
    reason,
    "source.topic": record.topic,
    "source.partition": String(record.partition),
    "source.offset": String(record.offset),
    "source.timestamp": String(record.timestamp),
  };
}

/**
 * The dead-letter record of `record`: its key, bytes and timestamp unchanged,
 * with the refusal's headers; a replayed record keeps its replay header, so
 * the console can tell what became of the replay.
 */
export function deadLetter(record: BrokerRecord, refusal: Refusal): OutgoingRecord {
  const headers: Record<string, string> = {
    ...deadLetterHeaders(record, refusal.reason),
    "error.code": refusal.code,
  };
  if (refusal.field !== undefined) headers["error.field"] = refusal.field;
  const replayOf = record.headers[REPLAY_HEADER];
  if (replayOf !== undefined) headers[REPLAY_HEADER] = replayOf;
  if (refusal.exception) {
    headers["exception.class"] = refusal.exception.class;
    headers["exception.message"] = refusal.exception.message;
    if (refusal.exception.stacktrace !== undefined) {
      headers["exception.stacktrace"] = refusal.exception.stacktrace;
    }
  }
  return {
    key: record.key,
    value: record.value,
    timestamp: record.timestamp,
    headers: { ...headers, ...refusal.headers },
  };
}

/**
 * The refusal of a record whose processing threw `error`: a `RecordError`
 * keeps its code, message and field; anything else is our bug, a
 * `processing-error` carrying the error's class, message and stack.
 */
export function refusalOf(error: unknown): Refusal {
  if (isRecordError(error)) {
    const message = bounded(error.message, MAX_MESSAGE_CHARS);
    return {
      code: error.code,
      reason: message,
      field: error.field,
      exception: { class: error.name, message },
    };
  }
  const thrown = describeThrown(error);
  return {
    code: PROCESSING_ERROR,
    reason: PROCESSING_ERROR,
    exception: {
      class: thrown.class,
      message: bounded(thrown.message, MAX_MESSAGE_CHARS),
      stacktrace: bounded(thrown.stack, MAX_STACK_CHARS),
    },
  };
}

/** Class, message and stack of anything thrown, even a value whose `toString` throws. */
function describeThrown(error: unknown): { class: string; message: string; stack: string } {
  try {
    if (error instanceof Error) {
      return {
        class: String(error.name),
        message: String(error.message),
        stack: error.stack ?? "",
      };
    }
    return { class: typeof error, message: String(error), stack: "" };
  } catch {
    return { class: typeof error, message: "(a value that cannot be printed)", stack: "" };
  }
}

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

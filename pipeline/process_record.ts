/**
 * What the processor does with one record, decided under one guard: every
 * per-record step (size check, parse, document, contributions, live, event
 * time, windowing) runs inside it, so whatever a record holds it ends either
 * accepted or refused (dead-lettered), and the stream goes on. A
 * `RecordError` is refused with its code; any other error is our bug,
 * refused as `processing-error` with its stack.
 *
 * Pure but for the window engine it is given: the record's outputs are
 * worked out before the engine's state changes, and the engine's `add` is
 * atomic, so a record that throws leaves no trace in the windows.
 */

import type { BrokerRecord, JsonObject, StoredDocument } from "./ports.ts";
import type { CellContribution, StreamDefinition } from "./processor.ts";
import { RecordError } from "./record_error.ts";
import { LATE, type Refusal, refusalOf, TOO_LARGE } from "./dead_letter.ts";
import type { AddOutcome, WindowEngine, WindowResult } from "./windowing/windows.ts";
import { DUPLICATE, type Duplicate, duplicateHeaders } from "./dedup.ts";
import { formatZoneless } from "./windowing/event_time.ts";
import { replayIdOf } from "./replay.ts";

/** What one record became. */
export type RecordOutcome<E, A> =
  | {
    kind: "accepted";
    event: E;
    /** Absent for a stream that stores no raw documents. */
    document?: StoredDocument;
    contributions: CellContribution[];
    live: JsonObject;
    /** Windowed streams: running values of the windows the record changed. */
    running: WindowResult<A>[];
    /** Windowed streams: windows the record's watermark advance closed. */
    closed: WindowResult<A>[];
  }
  /** Dead-letter it; `error` is what was thrown, when something was. */
  | { kind: "refused"; refusal: Refusal; error?: unknown }
  /** Already in the partition's checkpoint (a replay after a crash): every sink has it. */
  | { kind: "included" };

/** The stream and state one record is processed against. */
export interface RecordContext<E, A> {
  definition: StreamDefinition<E, A>;
  /** The stream's window engine, holding the record's partition. */
  engine: WindowEngine<E, A> | undefined;
  /** Larger records are refused as `too-large` without being parsed, bytes. */
  maxRecordBytes: number;
  /** Processing time, ms since the epoch. */
  now: number;
}

/**
 * A record's bytes decoded and validated under the guard, with its event id
 * when the stream identifies events (see `dedup.ts`) and its replay id when
 * it replays a dead letter (see `replay.ts`), or why it was refused.
 */
export type Decoded<E> =
  | { kind: "decoded"; event: E; id?: string; replayId?: string }
  | { kind: "refused"; refusal: Refusal; error?: unknown };

/** What is known of a record before it is processed: decoded, or a duplicate of another. */
export type Decision<E> = Decoded<E> | { kind: "duplicate"; duplicate: Duplicate };

/** Decodes and validates one record (and reads its event id); never throws. */
export function decodeRecord<E, A>(
  context: RecordContext<E, A>,
  record: BrokerRecord,
): Decoded<E> {
  const { definition } = context;
  try {
    if (record.value.byteLength > context.maxRecordBytes) {
      throw new RecordError(
        TOO_LARGE,
        `the record is ${record.value.byteLength} bytes, more than the ${context.maxRecordBytes} a record may have`,
      );
    }
    const replayId = replayIdOf(record);
    const event = definition.parse(record);
    const id = definition.dedup?.eventId(event);
    return { kind: "decoded", event, id, ...(replayId === undefined ? {} : { replayId }) };
  } catch (error) {
    return { kind: "refused", refusal: refusalOf(error), error };
  }
}

/**
 * Processes one record, decoded first unless `decision` says how it was;
 * never throws for anything the record holds.
 */
export function processRecord<E, A>(
  context: RecordContext<E, A>,
  record: BrokerRecord,
  decision: Decision<E> = decodeRecord(context, record),
): RecordOutcome<E, A> {
  const { definition, engine, now } = context;
  if (decision.kind !== "decoded") {
    // The record's offset is consumed like any refused record's, unless the checkpoint
    // already holds it: then it was dead-lettered before that checkpoint was saved.
    if (engine && !engine.pass(record.partition, record.offset, now)) return { kind: "included" };
    if (decision.kind === "refused") return decision;
    return {
      kind: "refused",
      refusal: {
        code: DUPLICATE,
        reason: DUPLICATE,
        headers: duplicateHeaders(decision.duplicate),
      },
    };
  }
  const { event } = decision;
  let accepted: Omit<Extract<RecordOutcome<E, A>, { kind: "accepted" }>, "running" | "closed">;
  let eventTime: number;
  let outcome: AddOutcome<A>;
  let bound: { field: string; maxFutureMs: number };
  try {
    accepted = {
      kind: "accepted",
      event,
      document: definition.document?.(event, record),
      contributions: definition.contributions(event),
      live: definition.live(event, record),
    };
    if (!engine || !definition.windows) return { ...accepted, running: [], closed: [] };
    bound = { field: definition.windows.timeField, maxFutureMs: engine.spec.maxFutureMs };
    eventTime = definition.windows.eventTime(event);
    outcome = engine.add({
      partition: record.partition,
      offset: record.offset,
      ts: eventTime,
      value: event,
      now,
    });
  } catch (error) {
    // The record's offset is consumed like any refused record's, unless the checkpoint
    // already holds it: then it was dead-lettered before that checkpoint was saved.
    if (engine && !engine.pass(record.partition, record.offset, now)) return { kind: "included" };
    return { kind: "refused", refusal: refusalOf(error), error };
  }
  // The engine has consumed the offset: from here on nothing may throw.
  switch (outcome.kind) {
    case "included":
      return outcome;
    case "late":
      return {
        kind: "refused",
        refusal: {
          code: LATE,
          reason: LATE,
          headers: { "event.time": timeText(eventTime), watermark: timeText(outcome.watermark) },
        },
      };
    case "future": {
      const { field, maxFutureMs } = bound;
      const message = `\`${field}\` must be at most ${
        duration(maxFutureMs)
      } ahead of the processing clock (${timeText(outcome.limit)}), got ${timeText(eventTime)}`;
      return { kind: "refused", refusal: refusalOf(new RecordError("invalid", message, field)) };
    }
    case "added":
      return { ...accepted, running: outcome.running, closed: outcome.closed };
  }
}

/** Zone-less UTC, or the number of ms when it is no date `Date` can hold. */
function timeText(ms: number): string {
  return Number.isNaN(new Date(ms).getTime()) ? `${ms} ms since the epoch` : formatZoneless(ms);
}

/** `5 min`, `30 s`, `2 h`, `1500 ms`: a bound as people write it. */
export function duration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

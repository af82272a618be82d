/**
 * Replay of dead letters: a dead-letter record sent back to its stream's
 * source topic, with its original key, bytes and timestamp and a header
 * naming the dead-letter position it came from. Pure; the console produces
 * the records and the processor reads the header.
 *
 * The header names the first dead-letter position of the record: a replayed
 * record dead-lettered again keeps the header, so replaying that second dead
 * letter names the first one again. The processor claims the event id
 * `replay:<position>` for a replayed record it accepts, so however often a
 * dead letter is replayed (directly or through its later dead letters) it is
 * counted at most once; a replay whose position was already processed is
 * dead-lettered as `duplicate`. A replay that is refused gives the id back,
 * so it may be replayed again once the cause is fixed.
 */

import type { BrokerRecord, OutgoingRecord, StoredDocument } from "./ports.ts";
import { RecordError } from "./record_error.ts";

/** Header of a replayed record: the dead-letter position it was first refused at. */
export const REPLAY_HEADER = "streamboard.replay.of";

/** Raw-store collection of what became of each replayed dead letter, by its position. */
export const REPLAY_OUTCOMES = "replay_outcomes";

/** A record's place in a dead-letter topic. */
export interface DeadLetterPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** `<topic>/<partition>/<offset>`: a position as the header and the outcome's id write it. */
export function positionText({ topic, partition, offset }: DeadLetterPosition): string {
  return `${topic}/${partition}/${offset}`;
}

const POSITION = /^(.+)\/(\d{1,9})\/(\d{1,15})$/;

/** The position `positionText` wrote, or `undefined` for any other text. */
export function parsePosition(text: string | undefined): DeadLetterPosition | undefined {
  const match = text === undefined ? null : POSITION.exec(text);
  if (!match) return undefined;
  return { topic: match[1], partition: Number(match[2]), offset: Number(match[3]) };
}

/** The event id a replay of the dead letter at `position` claims. */
export function replayEventId(position: DeadLetterPosition): string {
  return `replay:${positionText(position)}`;
}

/**
 * The replay event id of a record, `undefined` when it is no replay.
 *
 * @throws {RecordError} `invalid` when it carries a replay header that names no position
 */
export function replayIdOf(record: BrokerRecord): string | undefined {
  const header = record.headers[REPLAY_HEADER];
  if (header === undefined) return undefined;
  const position = parsePosition(header);
  if (!position) {
    throw new RecordError(
      "invalid",
      `header \`${REPLAY_HEADER}\` must be <dead-letter topic>/<partition>/<offset>, got ${
        JSON.stringify(header.slice(0, 200))
      }`,
      REPLAY_HEADER,
    );
  }
  return replayEventId(position);
}

/**
 * The position a dead letter is replayed as: the one its replay header names
 * (a replay refused again), else its own.
 */
export function replayedPosition(deadLetter: BrokerRecord): DeadLetterPosition {
  return parsePosition(deadLetter.headers[REPLAY_HEADER]) ?? {
    topic: deadLetter.topic,
    partition: deadLetter.partition,
    offset: deadLetter.offset,
  };
}

/** The record that replays `deadLetter` to its source topic: key, bytes and timestamp unchanged. */
export function replayRecord(deadLetter: BrokerRecord): OutgoingRecord {
  return {
    key: deadLetter.key,
    value: deadLetter.value,
    timestamp: deadLetter.timestamp,
    headers: { [REPLAY_HEADER]: positionText(replayedPosition(deadLetter)) },
  };
}

/** What became of a replayed dead letter. */
export type ReplayOutcome =
  | { outcome: "processed" }
  | { outcome: "dead-lettered"; code: string; reason: string };

/** The outcome document of the replay of `position`, the replay record `replay` decided at `at`. */
export function replayOutcomeDocument(
  position: DeadLetterPosition,
  replay: BrokerRecord,
  result: ReplayOutcome & { at: number },
): StoredDocument {
  return {
    id: positionText(position),
    ts: result.at,
    doc: {
      ...result,
      replay: { topic: replay.topic, partition: replay.partition, offset: replay.offset },
    },
  };
}

/** The outcome a stored outcome document holds, `undefined` for none. */
export function storedOutcome(doc: StoredDocument | undefined): ReplayOutcome | undefined {
  if (!doc) return undefined;
  const { outcome, code, reason } = doc.doc;
  if (outcome === "processed") return { outcome };
  if (outcome === "dead-lettered" && typeof code === "string" && typeof reason === "string") {
    return { outcome, code, reason };
  }
  return undefined;
}

/**
 * A stream's dead letters for the console: read newest first through the
 * `Broker` port, a bounded number per request, and sent back to the stream's
 * source topic as replays (see `pipeline/replay.ts`).
 */

import type { Broker, BrokerRecord, RawStore } from "../pipeline/ports.ts";
import {
  positionText,
  REPLAY_OUTCOMES,
  replayedPosition,
  type ReplayOutcome,
  replayRecord,
  storedOutcome,
} from "../pipeline/replay.ts";
import type { StreamModule } from "../pipeline/stream_module.ts";
import type { StreamRegistry } from "../pipeline/stream_registry.ts";
import { type DeadLetterFilter, deadLetterView, matchesFilter } from "./dead_letter_view.ts";
import type { DeadLetterView } from "./dead_letter_view.ts";
import { HttpError } from "./http_error.ts";

/**
 * Most records read from the broker at once. A scan starts with a read of
 * `limit` records and doubles it up to this while a filter leaves it short:
 * on Kafka each read is a consumer of its own, so reads are few and large.
 */
export const SCAN_CHUNK = 2_000;

/** Most records one request reads while looking for matches; past it, the cursor goes on. */
export const MAX_SCAN = 10_000;

/** Most dead letters one list or one replay request takes. */
export const MAX_PER_REQUEST = 500;

/** Where a newest-first scan goes on: below `offset` of `partition`, then the lower partitions. */
export interface ScanCursor {
  partition: number;
  offset: number;
}

/** `<partition>/<offset>`. */
export function cursorText({ partition, offset }: ScanCursor): string {
  return `${partition}/${offset}`;
}

/**
 * The cursor a scan gave out.
 * @throws {HttpError} 400 for any other text
 */
export function parseCursor(text: string): ScanCursor {
  const match = /^(\d{1,9})\/(\d{1,15})$/.exec(text);
  if (!match) {
    throw new HttpError(
      400,
      `cursor must be one a list gave out (<partition>/<offset>), got ${
        JSON.stringify(text.slice(0, 60))
      }`,
    );
  }
  return { partition: Number(match[1]), offset: Number(match[2]) };
}

/** The module of `name`, or a 404 naming the streams there are. */
export function streamOf(registry: StreamRegistry, name: string): StreamModule {
  if (!registry.has(name)) {
    throw new HttpError(
      404,
      `there is no stream "${name.slice(0, 60)}"; the streams are ${registry.names.join(", ")}`,
    );
  }
  return registry.get(name);
}

/** What a scan takes. */
export interface ScanOptions {
  filter: DeadLetterFilter;
  /** Most records returned. */
  limit: number;
  /** Where an earlier scan stopped. */
  cursor?: ScanCursor;
  /** Most records read (default `MAX_SCAN`). */
  maxScan?: number;
}

/** The dead letters a scan found, newest first, and where to go on (`null` when all were read). */
export interface Scanned {
  records: BrokerRecord[];
  next: ScanCursor | null;
}

/**
 * The dead letters of `topic` that pass the filter, newest first (highest
 * partition first), up to `limit` of them and reading at most `maxScan`.
 */
export async function scanDeadLetters(
  broker: Broker,
  topic: string,
  { filter, limit, cursor, maxScan = MAX_SCAN }: ScanOptions,
): Promise<Scanned> {
  const described = (await broker.describeTopics()).find((t) => t.name === topic);
  if (!described) return { records: [], next: null };
  const partitions = [...described.partitions].sort((a, b) => b.partition - a.partition);
  const records: BrokerRecord[] = [];
  let budget = maxScan;
  let chunkSize = Math.min(SCAN_CHUNK, Math.max(1, limit));
  for (const { partition, low, high } of partitions) {
    if (cursor && partition > cursor.partition) continue;
    let end = cursor?.partition === partition ? Math.min(high, cursor.offset) : high;
    while (end > low) {
      if (budget <= 0) return { records, next: { partition, offset: end } };
      const start = Math.max(low, end - Math.min(chunkSize, budget));
      const chunk = await broker.read({ topic, partition, offset: start, limit: end - start });
      budget -= end - start;
      chunkSize = Math.min(SCAN_CHUNK, chunkSize * 2);
      for (const record of chunk.toReversed()) {
        if (record.offset >= end || !matchesFilter(filter, record)) continue;
        records.push(record);
        if (records.length >= limit) return { records, next: { partition, offset: record.offset } };
      }
      end = start;
    }
  }
  return { records, next: null };
}

/** The recorded replay outcome of each record's dead letter, by `positionText` of that dead letter. */
export async function replayOutcomes(
  raw: RawStore,
  records: readonly BrokerRecord[],
): Promise<Map<string, ReplayOutcome>> {
  const ids = [...new Set(records.map((r) => positionText(replayedPosition(r))))];
  const docs = await Promise.all(ids.map((id) => raw.get(REPLAY_OUTCOMES, id)));
  const outcomes = new Map<string, ReplayOutcome>();
  for (const [i, id] of ids.entries()) {
    const outcome = storedOutcome(docs[i]);
    if (outcome) outcomes.set(id, outcome);
  }
  return outcomes;
}

/** The console's view of scanned dead letters, with their replay outcomes. */
export async function deadLetterViews(
  raw: RawStore,
  records: readonly BrokerRecord[],
): Promise<DeadLetterView[]> {
  const outcomes = await replayOutcomes(raw, records);
  return records.map((r) => deadLetterView(r, outcomes.get(positionText(replayedPosition(r)))));
}

/** A dead letter's place in its topic, as the replay request names it. */
export interface Position {
  partition: number;
  offset: number;
}

/** A dead letter not replayed, and why. */
export interface Skipped extends Position {
  why: string;
}

/**
 * The dead letters at `positions`, in the order given, each once; those not
 * there are skipped, saying why. Near positions of a partition are read
 * together (see `readRanges`).
 */
export async function readDeadLetters(
  broker: Broker,
  topic: string,
  positions: readonly Position[],
): Promise<{ records: BrokerRecord[]; skipped: Skipped[] }> {
  const described = (await broker.describeTopics()).find((t) => t.name === topic);
  const skipped: Skipped[] = [];
  const wanted: Position[] = [];
  for (const position of uniquePositions(positions)) {
    const { partition, offset } = position;
    const offsets = described?.partitions.find((p) => p.partition === partition);
    if (!offsets) {
      skipped.push({ ...position, why: `${topic} has no partition ${partition}` });
    } else if (offset < offsets.low || offset >= offsets.high) {
      skipped.push({
        ...position,
        why: offsets.low === offsets.high
          ? `partition ${partition} of ${topic} holds no record`
          : `partition ${partition} of ${topic} holds offsets ${offsets.low} to ${
            offsets.high - 1
          } (older ones are past retention)`,
      });
    } else wanted.push(position);
  }
  const found = new Map<string, BrokerRecord>();
  for (const range of readRanges(wanted)) {
    const read = await broker.read({ topic, ...range });
    for (const record of read) found.set(`${record.partition}/${record.offset}`, record);
  }
  const records: BrokerRecord[] = [];
  for (const position of wanted) {
    const record = found.get(`${position.partition}/${position.offset}`);
    if (record) records.push(record);
    else skipped.push({ ...position, why: `${topic} has no record there (a gap in the log)` });
  }
  return { records, skipped };
}

function uniquePositions(positions: readonly Position[]): Position[] {
  const seen = new Set<string>();
  return positions.filter(({ partition, offset }) => {
    const key = `${partition}/${offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The reads that cover `positions`: one per run of a partition's offsets
 * each less than `SCAN_CHUNK` after the run's first.
 */
export function readRanges(
  positions: readonly Position[],
): Array<{ partition: number; offset: number; limit: number }> {
  const sorted = [...positions].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  const ranges: Array<{ partition: number; offset: number; limit: number }> = [];
  for (const { partition, offset } of sorted) {
    const last = ranges.at(-1);
    if (last?.partition === partition && offset - last.offset < SCAN_CHUNK) {
      last.limit = offset - last.offset + 1;
    } else ranges.push({ partition, offset, limit: 1 });
  }
  return ranges;
}

/** What a replay request did. */
export interface ReplayResult {
  replayed: Position[];
  skipped: Skipped[];
}

/**
 * Replays dead letters to `topic` (their stream's source topic), each dead
 * letter once: a record whose dead letter was already replayed and processed
 * is skipped, as is a second record of the same dead letter in one request.
 */
export async function replayDeadLetters(
  deps: { broker: Broker; raw: RawStore },
  topic: string,
  records: readonly BrokerRecord[],
): Promise<ReplayResult> {
  const outcomes = await replayOutcomes(deps.raw, records);
  const taken = new Set<string>();
  const sent: BrokerRecord[] = [];
  const skipped: Skipped[] = [];
  for (const record of records) {
    const position = { partition: record.partition, offset: record.offset };
    const of = positionText(replayedPosition(record));
    if (outcomes.get(of)?.outcome === "processed") {
      skipped.push({
        ...position,
        why: `its dead letter ${of} was already replayed and processed`,
      });
    } else if (taken.has(of)) {
      skipped.push({ ...position, why: `another record of this request replays ${of}` });
    } else {
      taken.add(of);
      sent.push(record);
    }
  }
  if (sent.length > 0) await deps.broker.produce(topic, sent.map(replayRecord));
  return { replayed: sent.map((r) => ({ partition: r.partition, offset: r.offset })), skipped };
}

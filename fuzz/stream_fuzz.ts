/**
 * Sends hostile records through one stream's real `StreamProcessor` on the
 * embedded log and stores, until every input offset is committed, and checks
 * the invariants: no crash or restart, every input stored or
 * dead-lettered (with a reason and its exact bytes) exactly once, duplicates
 * counted once, aggregates exact, no record over 50 ms, memory back to its
 * level after.
 */

import { type Config, DEFAULTS, withConfig } from "../config.ts";
import type {
  AggregateStore,
  Broker,
  BrokerRecord,
  EventIdStore,
  GroupConsumeOptions,
  RawStore,
  RecordBatch,
} from "../pipeline/ports.ts";
import { EmbeddedLog } from "../pipeline/embedded/log_broker.ts";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { SqliteAggregateStore } from "../pipeline/embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "../pipeline/embedded/event_id_store.ts";
import {
  CHECKPOINTS,
  REJECTED_DIMENSION,
  type StreamDefinition,
  StreamProcessor,
} from "../pipeline/processor.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import type { StreamName } from "../pipeline/stream_module.ts";
import type { PartitionCheckpoint } from "../pipeline/windowing/windows.ts";
import { SESSION_DEVICES, type SessionState, totalsOf } from "../pipeline/clickstream/sessions.ts";
import { partitionFor } from "../pipeline/partitioner.ts";
import { seededRandom } from "../pipeline/random.ts";
import { override } from "../pipeline/testing/crashing.ts";
import { delay } from "../pipeline/async.ts";
import type { Logger } from "../pipeline/logger.ts";
import { type HostileRecord, hostileRecords } from "./hostile_records.ts";
import { bounded, prototypePolluted, showBytes } from "./hostile_values.ts";
import { cents, exact, exactInteger, fieldTexts, plus, times } from "./exact_amounts.ts";
import { checkHeapBack, settledHeap } from "./memory.ts";
import { type Finding, Findings } from "./findings.ts";
import { readTopic } from "./topic_reader.ts";

/** Most processor time one record may take, ms. */
export const MAX_RECORD_MS = 50;

/** Options of one stream fuzz run. */
export interface StreamFuzzOptions {
  stream: StreamName;
  seed: number;
  /** Inputs to send (the test sends 1,000). */
  count: number;
  /** How long the processor may take to commit every input, ms. */
  timeoutMs?: number;
}

/** What a run did and found. */
export interface StreamFuzzResult {
  findings: Finding[];
  inputs: number;
  accepted: number;
  deadLettered: number;
  /** Slowest record's processor time, ms. */
  slowestMs: number;
  heapGrowth: number;
  elapsedMs: number;
}

/** An input with the position the log gave it. */
interface Placed extends HostileRecord {
  partition: number;
  offset: number;
}

const decoder = new TextDecoder();

/** Runs one stream's fuzz and reports every broken invariant. */
export async function fuzzStream(options: StreamFuzzOptions): Promise<StreamFuzzResult> {
  const started = performance.now();
  const { stream, seed, count } = options;
  const findings = new Findings(`stream ${stream}`, seed);
  const dataDir = await Deno.makeTempDir({ prefix: `streamboard-fuzz-${stream}-` });
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { partitions: 4 },
    streams: { selected: [stream] },
  });
  const broker = new EmbeddedLog({ path: `${dataDir}/log.db`, pollMs: 5 });
  const raw = new SqliteRawStore(`${dataDir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dataDir}/store.db`);
  const eventIds = new SqliteEventIdStore(`${dataDir}/store.db`);
  try {
    await broker.createTopics(STREAMS.topicSpecs(config));
    const module = STREAMS.get(stream);
    const topics = module.topics;
    const inputs = place(
      hostileRecords({
        stream,
        count,
        random: seededRandom(seed),
        now: Date.now(),
        maxRecordBytes: config.processor.maxRecordBytes,
      }),
      module.partitions(config),
    );
    await broker.produce(
      topics.topic,
      inputs.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
    );
    const show = (r: Placed) =>
      `#${r.index} (${r.mutation}; expect ${r.expect}) ${showBytes(r.value, 200)}`;
    const byPosition = new Map(inputs.map((r) => [`${r.partition}:${r.offset}`, r]));

    const heapBefore = await settledHeap();
    const timing = timedDefinition(module.definition({ config, raw, aggregates }));
    const run = await runUntilCommitted({
      definition: timing.definition,
      broker,
      raw,
      aggregates,
      eventIds,
      group: topics.group,
      inputs,
      timeoutMs: options.timeoutMs ?? 60_000,
      slow: (position) => (timing.spent.get(position) ?? 0) > MAX_RECORD_MS,
    });
    for (const crash of run.crashes) {
      const input = crash.position ? byPosition.get(crash.position) : undefined;
      findings.add(
        "no crash or restart",
        `the processor's run rejected (${crash.restarts} start(s) on this input): ${
          bounded(crash.error, 600)
        }`,
        input ? show(input) : crash.position,
      );
    }
    if (!run.committed) {
      findings.add(
        "every offset committed",
        `not every input was committed within the time; last logged errors: ${
          bounded(run.errors.slice(-3).join(" | "), 600)
        }`,
      );
    }
    const heapGrowth = await checkHeapBack(heapBefore, "the run", findings);

    const dead = await readTopic(broker, topics.dlqTopic);
    const verdicts = judge({ inputs, dead, findings, show });
    await checkOutputs({ stream, inputs, verdicts, dead, raw, aggregates, findings, show });

    let slowestMs = 0;
    for (const [position, ms] of timing.spent) {
      slowestMs = Math.max(slowestMs, ms);
      if (ms <= MAX_RECORD_MS) continue;
      const input = byPosition.get(position)!;
      const again = timing.remeasure(run.records.get(position)!);
      if (again > MAX_RECORD_MS) {
        findings.add(
          `at most ${MAX_RECORD_MS} ms a record`,
          `took ${ms.toFixed(1)} ms of processor time (${again.toFixed(1)} ms measured again)`,
          show(input),
        );
      }
    }
    if (prototypePolluted()) findings.add("no prototype pollution", "Object.prototype was written");
    return {
      findings: findings.all,
      inputs: inputs.length,
      accepted: [...verdicts.values()].filter((v) => v.accepted).length,
      deadLettered: dead.length,
      slowestMs,
      heapGrowth,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** The log's positions of the inputs: keyed partitions, offsets in produce order from 0. */
function place(records: HostileRecord[], partitions: number): Placed[] {
  const next = new Array<number>(partitions).fill(0);
  return records.map((r) => {
    const partition = partitionFor(r.key, partitions);
    return { ...r, partition, offset: next[partition]++ };
  });
}

/**
 * The stream's definition with the processor time of each record measured:
 * every callback the processor makes for a record (decode and validate,
 * event time, window fold, document, contributions, live item) is timed and
 * charged to that record.
 */
function timedDefinition(inner: StreamDefinition<unknown>) {
  const spent = new Map<string, number>();
  let current = "";
  const charge = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    const t0 = performance.now();
    try {
      return fn(...args);
    } finally {
      spent.set(current, (spent.get(current) ?? 0) + performance.now() - t0);
    }
  };
  const windows = inner.windows;
  const definition: StreamDefinition<unknown> = {
    ...inner,
    parse: (record) => {
      current = `${record.partition}:${record.offset}`;
      return charge(inner.parse)(record);
    },
    ...(inner.document ? { document: charge(inner.document) } : {}),
    contributions: charge(inner.contributions),
    live: charge(inner.live),
    ...(windows
      ? {
        windows: {
          ...windows,
          eventTime: charge(windows.eventTime),
          aggregation: { ...windows.aggregation, add: charge(windows.aggregation.add) },
        },
      }
      : {}),
  };
  /** The record's processor time measured again on its own (the least of five runs), ms. */
  const remeasure = (record: BrokerRecord): number => {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      try {
        const event = inner.parse(record);
        inner.document?.(event, record);
        inner.contributions(event);
        inner.live(event, record);
        if (windows) {
          windows.eventTime(event);
          windows.aggregation.add(windows.aggregation.empty(), event);
        }
      } catch {
        // Refused or failing records cost what they cost up to the throw.
      }
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  return { definition, spent, remeasure };
}

interface Crash {
  position?: string;
  error: string;
  restarts: number;
}

interface RunOptions {
  definition: StreamDefinition<unknown>;
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  eventIds: EventIdStore;
  group: string;
  inputs: Placed[];
  timeoutMs: number;
  /** True for a record that took too long: it is kept to be measured again. */
  slow(position: string): boolean;
}

/** Starts of the processor on one input before it counts as a restart loop. */
const RESTARTS = 2;

/**
 * Runs the processor as the supervisor in `main.ts` would (started again when
 * its run fails) until every input's offset is committed, the same input
 * fails again (a restart loop), or time is up.
 */
async function runUntilCommitted(options: RunOptions) {
  const { inputs, broker } = options;
  const last = new Map<number, number>();
  for (const r of inputs) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset));
  const committed = new Map<number, number>();
  const records = new Map<string, BrokerRecord>();
  const crashes: Crash[] = [];
  const errors: string[] = [];
  let inHand: string | undefined;
  const done = () => [...last].every(([p, o]) => (committed.get(p) ?? -1) >= o);
  const watched = override(broker, {
    consume: (consume: GroupConsumeOptions) =>
      broker.consume({
        ...consume,
        handle: async (batch: RecordBatch) => {
          inHand = `${batch.partition}:${batch.records[0].offset}`;
          await consume.handle(batch);
          for (const r of batch.records) {
            const position = `${r.partition}:${r.offset}`;
            if (options.slow(position)) records.set(position, r);
          }
          committed.set(batch.partition, batch.records[batch.records.length - 1].offset);
        },
      }),
  });
  const log: Logger = {
    info() {},
    warn() {},
    error: (message) => void errors.push(message),
  };
  const deadline = Date.now() + options.timeoutMs;
  let starts = 0;
  while (!done() && Date.now() < deadline) {
    const controller = new AbortController();
    const processor = new StreamProcessor(options.definition, {
      broker: watched,
      raw: options.raw,
      aggregates: options.aggregates,
      eventIds: options.eventIds,
      log,
      retryInitialMs: 10,
      retryMaxMs: 100,
    });
    let failure: unknown;
    const running = processor.run(options.group, controller.signal, 50).catch((e) => {
      failure = e;
    });
    while (!done() && failure === undefined && Date.now() < deadline) await delay(5);
    controller.abort();
    await running;
    if (failure === undefined) break;
    starts++;
    const error = failure instanceof Error ? failure.stack ?? failure.message : String(failure);
    const position = inHand;
    const known = crashes.find((c) => c.position === position);
    if (known) known.restarts++;
    else crashes.push({ position, error, restarts: 1 });
    if ((known?.restarts ?? 1) >= RESTARTS || starts > 20) break;
  }
  return { committed: done(), crashes, errors, records };
}

/** The verdict on one input: accepted, or dead-lettered with these headers. */
interface Verdict {
  accepted: boolean;
  headers?: Record<string, string>;
}

interface JudgeOptions {
  inputs: Placed[];
  dead: BrokerRecord[];
  findings: Findings;
  show: (r: Placed) => string;
}

/** Matches dead letters to inputs and checks each input's fate against its expectation. */
function judge({ inputs, dead, findings, show }: JudgeOptions): Map<Placed, Verdict> {
  const byPosition = new Map(inputs.map((r) => [`${r.partition}:${r.offset}`, r]));
  const deadOf = new Map<Placed, BrokerRecord>();
  for (const letter of dead) {
    const position = `${letter.headers["source.partition"]}:${letter.headers["source.offset"]}`;
    const input = byPosition.get(position);
    if (!input) {
      findings.add(
        "dead letter of an input",
        `a dead letter names no input (source ${position}): ${JSON.stringify(letter.headers)}`,
      );
      continue;
    }
    if (deadOf.has(input)) {
      findings.add("exactly once", "dead-lettered twice", show(input));
      continue;
    }
    deadOf.set(input, letter);
  }
  const verdicts = new Map<Placed, Verdict>();
  for (const input of inputs) {
    const letter = deadOf.get(input);
    verdicts.set(input, letter ? { accepted: false, headers: letter.headers } : { accepted: true });
    if (!letter) {
      if (input.expect === "refuse") {
        findings.add("hostile record refused", "accepted, must be dead-lettered", show(input));
      }
      continue;
    }
    const reason = letter.headers.reason ?? "";
    const said = Object.entries(letter.headers).filter(([k]) => !k.startsWith("source."))
      .map(([, v]) => v).join(" ");
    if (reason.trim() === "") {
      findings.add("dead letter with its reason", "no `reason` header", show(input));
    }
    if (!sameBytes(letter.value, input.value)) {
      findings.add(
        "dead letter is the input byte for byte",
        `dead letter holds ${showBytes(letter.value, 120)}`,
        show(input),
      );
    }
    if (/processing-error/.test(said)) {
      findings.add(
        "no record makes our code throw",
        `dead-lettered as ${bounded(said, 400)}`,
        show(input),
      );
    }
    if (input.expect === "accept") {
      findings.add("valid record accepted", `dead-lettered: ${bounded(said, 300)}`, show(input));
    }
    if (input.expect === "refuse" && input.code && !said.includes(input.code)) {
      findings.add(`reason ${input.code}`, `dead-lettered as ${bounded(said, 300)}`, show(input));
    } else if (input.expect === "refuse" && input.field && !namesField(said, input.field)) {
      findings.add(
        "reason names the field",
        `${input.field} not in ${bounded(said, 300)}`,
        show(input),
      );
    }
  }
  return verdicts;
}

function namesField(said: string, field: string): boolean {
  return said.includes(field) || said.includes(field.split(".").pop()!);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface OutputOptions {
  stream: StreamName;
  inputs: Placed[];
  verdicts: Map<Placed, Verdict>;
  dead: BrokerRecord[];
  raw: RawStore;
  aggregates: AggregateStore;
  findings: Findings;
  show: (r: Placed) => string;
}

/** Parsed JSON of an input, or undefined. */
function parsed(input: Placed): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.value));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The event id of an input as the stream normalises it (users: uuid in lower case). */
function eventId(stream: StreamName, input: Placed): string | undefined {
  const value = parsed(input);
  if (stream === "users") {
    const uuid = (value?.login as Record<string, unknown> | undefined)?.uuid;
    return typeof uuid === "string" ? uuid.toLowerCase() : undefined;
  }
  if (stream === "sales" || stream === "sessions") {
    return typeof value?.id === "string" ? value.id : undefined;
  }
  return undefined;
}

function positionId(input: Placed): string {
  return `${input.partition}-${String(input.offset).padStart(15, "0")}`;
}

async function total(aggregates: AggregateStore, stream: string, dimension: string) {
  let sum = 0n;
  for (const t of await aggregates.totals(stream, dimension)) {
    const v = exactInteger(t.value);
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}

/** Stores and aggregates against the accepted inputs. */
async function checkOutputs(o: OutputOptions): Promise<void> {
  const { stream, inputs, verdicts, dead, raw, aggregates, findings, show } = o;
  const accepted = inputs.filter((r) => verdicts.get(r)!.accepted);
  const idStream = stream === "users" || stream === "sales" || stream === "sessions";

  // Exactly once per event id: of all records with one id, one is accepted.
  if (idStream) {
    const byId = Map.groupBy(
      accepted.filter((r) => eventId(stream, r)),
      (r) => eventId(stream, r)!,
    );
    for (const [id, list] of byId) {
      if (list.length > 1) {
        findings.add(
          "exactly once per event id",
          `event id ${id} accepted ${list.length} times (inputs #${
            list.map((r) => r.index).join(", #")
          })`,
          show(list[list.length - 1]),
        );
      }
    }
    const resent = Map.groupBy(
      inputs.filter((r) =>
        (r.expect === "accept" || r.expect === "duplicate") && eventId(stream, r)
      ),
      (r) => eventId(stream, r)!,
    );
    for (const list of resent.values()) {
      if (list.length < 2) continue;
      for (const r of list.filter((r) => !verdicts.get(r)!.accepted)) {
        const said = Object.values(verdicts.get(r)!.headers ?? {}).join(" ");
        if (!said.includes("duplicate") && r.expect === "duplicate") {
          findings.add("reason duplicate", `dead-lettered as ${bounded(said, 200)}`, show(r));
        }
      }
      if (!list.some((r) => verdicts.get(r)!.accepted)) {
        findings.add(
          "valid record accepted",
          "no copy of this event id was accepted",
          show(list[0]),
        );
      }
    }
  }

  // The raw store holds exactly the accepted records.
  const collection = STREAMS.get(stream).topics.collection;
  const stored = new Map<string, string>();
  for await (const doc of raw.all(collection)) {
    stored.set(doc.id, JSON.stringify(doc.doc));
  }
  const expected = new Map<string, Placed>();
  // The sessions stream keeps its events in session windows only: no documents.
  for (const r of stream === "sessions" ? [] : accepted) {
    const id = idStream ? eventId(stream, r) : positionId(r);
    if (id === undefined) {
      findings.add("accepted records are stored", "accepted a record without an event id", show(r));
      continue;
    }
    expected.set(id, r);
  }
  for (const [id, r] of expected) {
    if (!stored.has(id)) findings.add("accepted records are stored", `no document ${id}`, show(r));
  }
  for (const id of stored.keys()) {
    if (!expected.has(id)) {
      const input = idStream ? undefined : inputs.find((r) => positionId(r) === id);
      findings.add(
        "exactly once",
        `document ${id} is stored but its input was dead-lettered or never sent`,
        input ? show(input) : undefined,
      );
    }
  }

  const counted = async (dimension: string, want: bigint, what: string) => {
    const got = await total(aggregates, stream, dimension);
    if (got !== want) {
      findings.add(
        "counts exact",
        `${what}: aggregates say ${
          got ?? "a value past exact integers"
        }, the accepted inputs give ${want}`,
      );
    }
  };
  await counted(REJECTED_DIMENSION, BigInt(dead.length), "rejected (dead letters)");
  const n = BigInt(accepted.length);
  switch (stream) {
    case "users":
      await counted("gender", n, "users counted");
      secretsKept({ accepted, stored, findings, show });
      break;
    case "sales": {
      await counted("all_tx", n, "sales transactions");
      let revenue = 0n;
      for (const r of accepted) {
        const amount = exactAmount(
          r,
          (f) => cents(times(exact(f.get("unit_price")!), exact(f.get("quantity")!))),
        );
        if (typeof amount === "string") findings.add("counts exact", amount, show(r));
        else revenue += amount;
      }
      await counted("all_revenue", revenue, "sales revenue in cents");
      break;
    }
    case "products":
      for (const r of accepted) {
        const want = exactAmount(r, (f) => {
          const price = exact(f.get("price")!);
          return cents(plus(price, times(price, exact(f.get("kdv")!))));
        });
        if (typeof want === "string") {
          findings.add("counts exact", want, show(r));
          continue;
        }
        const doc = stored.get(positionId(r));
        const got = doc === undefined ? undefined : (JSON.parse(doc) as { total?: unknown }).total;
        let gotCents: bigint | undefined;
        try {
          gotCents = cents(exact(String(got)));
        } catch {
          gotCents = undefined;
        }
        if (doc !== undefined && gotCents !== want) {
          findings.add(
            "counts exact",
            `stored total ${bounded(String(got), 80)}, exact total ${want} cents`,
            show(r),
          );
        }
      }
      break;
    case "sessions": {
      // Every accepted event is in exactly one session: open, fired, or retired into the totals.
      let events = 0;
      for await (const { doc } of raw.all(CHECKPOINTS)) {
        if (doc.stream !== stream) continue;
        const state = doc.checkpoint as unknown as PartitionCheckpoint<SessionState>;
        for (const w of [...state.windows, ...(state.fired ?? [])]) events += w.value.events;
        const retired = totalsOf(state.retired);
        for (const device of SESSION_DEVICES) events += retired[device].events;
      }
      if (BigInt(events) !== n) {
        findings.add(
          "counts exact",
          `sessions hold ${events} events, the accepted inputs give ${n}`,
        );
      }
      break;
    }
    default: {
      await counted("count", n, `${stream} events counted`);
      if (stream === "ratings") {
        const sum = accepted.reduce((s, r) => s + BigInt(Number(parsed(r)?.rating ?? 0)), 0n);
        await counted("rating_sum", sum, "sum of ratings");
      }
    }
  }
}

/** An exact amount computed from an input's text, or why it cannot be. */
function exactAmount(
  input: Placed,
  compute: (fields: Map<string, string>) => bigint,
): bigint | string {
  try {
    return compute(fieldTexts(decoder.decode(input.value)));
  } catch (error) {
    return `accepted a record whose amount has no exact value: ${(error as Error).message}`;
  }
}

/** What `secretsKept` looks through, and where it reports. */
interface SecretsOptions {
  /** The user inputs the pipeline accepted. */
  accepted: Placed[];
  /** Raw-store documents as JSON text, by user id. */
  stored: Map<string, string>;
  /** Where a kept secret is reported. */
  findings: Findings;
  /** An input, bounded, for a finding. */
  show: (r: Placed) => string;
}

/** Login secrets of accepted users must not be in the raw store (the default). */
function secretsKept({ accepted, stored, findings, show }: SecretsOptions): void {
  for (const r of accepted) {
    const login = parsed(r)?.login as Record<string, unknown> | undefined;
    const uuid = typeof login?.uuid === "string" ? login.uuid.toLowerCase() : "";
    const doc = stored.get(uuid);
    if (!doc || !login) continue;
    const kept = ["password", "salt", "md5", "sha1", "sha256"].filter((k) =>
      typeof login[k] === "string" && (login[k] as string).length >= 8 &&
      doc.includes(login[k] as string)
    );
    if (kept.length > 0) {
      findings.add(
        "secrets stay in",
        `the raw store keeps login.${kept.join(", login.")}`,
        show(r),
      );
    }
  }
}

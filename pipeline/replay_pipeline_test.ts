/**
 * Replayed dead letters through the processor on the embedded log and stores:
 * a replay of a record nothing was fixed in is dead-lettered again with the
 * same reason; a replay made valid by a changed setting is counted once, also
 * when it is replayed again; the outcome of each replay is recorded.
 */

import assert from "node:assert/strict";
import { type Config, DEFAULTS, withConfig } from "../config.ts";
import type { BrokerRecord, OutgoingRecord } from "./ports.ts";
import { type StreamDefinition, StreamProcessor } from "./processor.ts";
import { STREAMS } from "./stream_registry.ts";
import { openPipeline } from "./wiring.ts";
import { silentLogger } from "./logger.ts";
import { seededRandom } from "./random.ts";
import { until } from "./testing/until.ts";
import { collectTail } from "./testing/tail_collector.ts";
import { formatZoneless } from "./windowing/event_time.ts";
import { READ_MODELS, readModelId } from "./read_models.ts";
import {
  positionText,
  REPLAY_HEADER,
  REPLAY_OUTCOMES,
  type ReplayOutcome,
  replayRecord,
  storedOutcome,
} from "./replay.ts";

const encoder = new TextEncoder();
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const MAX_RECORD_BYTES = 10_000;

/** A processing-error stream: its contributions throw for a record saying `boom`. */
const BOOM: StreamDefinition<{ n: number; boom?: boolean }> = {
  name: "boom",
  topic: "boom",
  dlqTopic: "boom.dlq",
  liveTopic: "boom.live",
  collection: "boom",
  parse: (record) => JSON.parse(new TextDecoder().decode(record.value)),
  document: (event, record) => ({ id: `${record.offset}`, ts: NOW, doc: { n: event.n } }),
  contributions: (event) => {
    if (event.boom) throw new TypeError("a bug that only this record finds");
    return [{ dimension: "count", key: "all", amount: 1 }];
  },
  live: () => ({}),
};

/** Embedded log and stores in a fresh data directory. */
async function open() {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-replay-" });
  // Records are stamped NOW, which may be far behind the wall clock: the log must keep them.
  const retentionHours = 100 * 365 * 24;
  const config: Config = withConfig(DEFAULTS, {
    stores: { dataDir },
    broker: { partitions: 2, pollMs: 5, retentionHours },
  });
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  await pipeline.broker.createTopics(
    [BOOM.topic, BOOM.dlqTopic, BOOM.liveTopic].map((name) => ({ name, partitions: 1 })),
  );
  return {
    ...pipeline,
    config,
    close: async () => {
      await pipeline.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

type Env = Awaited<ReturnType<typeof open>>;

/** Runs a processor of `definition` until `done()` holds, then stops it. */
async function runUntil(
  env: Env,
  definition: StreamDefinition<unknown, unknown>,
  done: () => boolean | Promise<boolean>,
): Promise<StreamProcessor<unknown, unknown>> {
  const processor = new StreamProcessor(definition, {
    ...env,
    log: silentLogger,
    now: () => NOW,
    maxRecordBytes: MAX_RECORD_BYTES,
  });
  const controller = new AbortController();
  const running = processor.run(`group-${definition.name}`, controller.signal, 50);
  try {
    await until(async () => await done());
  } finally {
    controller.abort();
    await running;
  }
  return processor;
}

/** Collects the records of a dead-letter topic from its current end. */
function deadLetters(env: Env, topic: string) {
  return collectTail(env.broker, [topic]);
}

function bytes(value: unknown): OutgoingRecord {
  return {
    key: null,
    value: encoder.encode(typeof value === "string" ? value : JSON.stringify(value)),
    timestamp: NOW,
  };
}

async function rejected(env: Env, stream: string): Promise<Record<string, number>> {
  const rows = await env.aggregates.totals(stream, "rejected");
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.value)]));
}

async function outcomeOf(env: Env, deadLetter: BrokerRecord): Promise<ReplayOutcome | undefined> {
  return storedOutcome(await env.raw.get(REPLAY_OUTCOMES, positionText(deadLetter)));
}

/**
 * Replays `originals` unchanged and waits for them to be dead-lettered again;
 * asserts each came back with its original code and reason, its replay
 * header, and an outcome saying so.
 */
async function replayAndExpectSameRefusals(
  env: Env,
  definition: StreamDefinition<unknown, unknown>,
  originals: BrokerRecord[],
) {
  const again = await deadLetters(env, definition.dlqTopic);
  await env.broker.produce(definition.topic, originals.map(replayRecord));
  await runUntil(env, definition, () => again.list.length >= originals.length);
  await again.stop();
  assert.equal(again.list.length, originals.length);
  for (const original of originals) {
    const position = positionText(original);
    const replayed = again.list.find((r) => r.headers[REPLAY_HEADER] === position);
    assert.ok(replayed, `the replay of ${position} was dead-lettered again`);
    assert.equal(replayed.headers["error.code"], original.headers["error.code"]);
    assert.equal(replayed.headers.reason, original.headers.reason);
    assert.deepEqual(replayed.value, original.value);
    assert.deepEqual(await outcomeOf(env, original), {
      outcome: "dead-lettered",
      code: original.headers["error.code"],
      reason: original.headers.reason,
    });
  }
}

Deno.test("invalid, too-large and duplicate users replayed unchanged are dead-lettered again with the same reason", async () => {
  const env = await open();
  try {
    const users = STREAMS.get("users");
    const definition = users.definition(env);
    const user = users.source.generator({ history: false })(seededRandom(3), NOW);
    const dlq = await deadLetters(env, definition.dlqTopic);
    await env.broker.produce(definition.topic, [
      bytes(user),
      bytes(user),
      bytes({ gender: "female" }),
      bytes("x".repeat(MAX_RECORD_BYTES + 1)),
    ]);
    await runUntil(env, definition, () => dlq.list.length >= 3);
    await dlq.stop();
    const codes = dlq.list.map((r) => r.headers["error.code"]).sort();
    assert.deepEqual(codes, ["duplicate", "invalid", "too-large"]);
    const before = await rejected(env, "users");

    await replayAndExpectSameRefusals(env, definition, dlq.list);

    assert.equal(await env.raw.count(definition.collection), 1);
    assert.deepEqual(await rejected(env, "users"), before, "a refused replay is not counted again");
  } finally {
    await env.close();
  }
});

Deno.test("a late and a future product replayed unchanged are dead-lettered again with the same reason", async () => {
  const env = await open();
  try {
    const definition = STREAMS.get("products").definition(env);
    const product = (id: number, at: number) =>
      bytes({
        id,
        product: "Kitap",
        description: "ciltli",
        price: 10,
        kdv: 0.18,
        timestamp_column: formatZoneless(at),
      });
    const dlq = await deadLetters(env, definition.dlqTopic);
    await env.broker.produce(definition.topic, [
      product(1, NOW - 600_000),
      product(2, NOW),
      product(3, NOW - 599_000), // its window fired and its lateness passed
      product(4, NOW + 3_600_000), // an hour ahead of the clock
    ]);
    await runUntil(env, definition, () => dlq.list.length >= 2);
    await dlq.stop();
    assert.deepEqual(dlq.list.map((r) => r.headers["error.code"]), ["late", "invalid"]);

    await replayAndExpectSameRefusals(env, definition, dlq.list);

    assert.equal(await env.raw.count(definition.collection), 2);
  } finally {
    await env.close();
  }
});

Deno.test("a record that made the processor throw, replayed unchanged, is dead-lettered again as processing-error", async () => {
  const env = await open();
  try {
    const definition = BOOM as StreamDefinition<unknown, unknown>;
    const dlq = await deadLetters(env, BOOM.dlqTopic);
    await env.broker.produce(BOOM.topic, [bytes({ n: 1 }), bytes({ n: 2, boom: true })]);
    await runUntil(env, definition, () => dlq.list.length >= 1);
    await dlq.stop();
    assert.equal(dlq.list[0].headers["error.code"], "processing-error");
    assert.equal(dlq.list[0].headers["exception.class"], "TypeError");

    await replayAndExpectSameRefusals(env, definition, dlq.list);

    assert.equal(await env.raw.count(BOOM.collection), 1);
  } finally {
    await env.close();
  }
});

Deno.test("replaying many records that made the processor throw does not stop the partition", async () => {
  const env = await open();
  try {
    const definition = BOOM as StreamDefinition<unknown, unknown>;
    const dlq = await deadLetters(env, BOOM.dlqTopic);
    // One in 25 throws: 4 %, under the 5 % that stops a partition.
    await env.broker.produce(
      BOOM.topic,
      Array.from({ length: 625 }, (_, n) => bytes({ n, boom: n % 25 === 24 })),
    );
    await runUntil(env, definition, () => dlq.list.length >= 25);
    await dlq.stop();
    assert.equal(dlq.list.length, 25);

    const again = await deadLetters(env, BOOM.dlqTopic);
    await env.broker.produce(BOOM.topic, dlq.list.map(replayRecord));
    const processor = await runUntil(env, definition, () => again.list.length >= 25);
    await again.stop();
    assert.deepEqual(
      processor.stopped(),
      [],
      "known records thrown again say nothing of the deployment",
    );
    assert.ok(again.list.every((r) => r.headers["error.code"] === "processing-error"));
  } finally {
    await env.close();
  }
});

Deno.test("a product made valid by a raised max-future bound is counted once, also after a second replay", async () => {
  const env = await open();
  try {
    const products = STREAMS.get("products");
    const strict = products.definition(env);
    const ahead = NOW + 3_600_000;
    const record = bytes({
      id: 9,
      product: "Kitap",
      description: "ciltli",
      price: 10,
      kdv: 0.18,
      timestamp_column: formatZoneless(ahead),
    });
    const dlq = await deadLetters(env, strict.dlqTopic);
    await env.broker.produce(strict.topic, [bytes({}), record]);
    await runUntil(env, strict, () => dlq.list.length >= 2);
    await dlq.stop();
    const [, future] = dlq.list;
    assert.equal(future.headers["error.code"], "invalid");
    assert.match(future.headers.reason, /at most 5 min ahead/);

    // STREAMBOARD_PRODUCTS_MAX_FUTURE_MS raised to two hours.
    const config = withConfig(env.config, {
      streams: { maxFutureMs: { ...env.config.streams.maxFutureMs, products: 7_200_000 } },
    });
    const lenient = products.definition({ ...env, config });
    const windowRecords = async () => {
      const model = (await env.raw.get(READ_MODELS, readModelId("products", 0)))?.doc.model as
        | { open: Array<{ records: number }> }
        | undefined;
      return (model?.open ?? []).reduce((sum, w) => sum + w.records, 0);
    };
    await env.broker.produce(strict.topic, [replayRecord(future)]);
    await runUntil(env, lenient, async () => (await outcomeOf(env, future)) !== undefined);
    assert.deepEqual(await outcomeOf(env, future), { outcome: "processed" });
    assert.equal(await env.raw.count(strict.collection), 1);
    assert.equal(await windowRecords(), 1);

    const again = await deadLetters(env, strict.dlqTopic);
    await env.broker.produce(strict.topic, [replayRecord(future)]);
    await runUntil(env, lenient, () => again.list.length >= 1);
    await again.stop();
    const [duplicate] = again.list;
    assert.equal(duplicate.headers["error.code"], "duplicate");
    assert.equal(duplicate.headers[REPLAY_HEADER], positionText(future));
    assert.equal(await env.raw.count(strict.collection), 1);
    assert.equal(await windowRecords(), 1);
    assert.deepEqual(
      await outcomeOf(env, future),
      { outcome: "processed" },
      "the first outcome stands",
    );
    assert.deepEqual(await rejected(env, "products"), { invalid: 2 });
  } finally {
    await env.close();
  }
});

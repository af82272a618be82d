import assert from "node:assert/strict";
import { DEFAULTS } from "../config.ts";
import type { BrokerRecord } from "./ports.ts";
import type { StreamDefinition } from "./processor.ts";
import { duration, processRecord, type RecordContext } from "./process_record.ts";
import { deadLetter, MAX_STACK_CHARS, PROCESSING_ERROR } from "./dead_letter.ts";
import { InvalidFieldError } from "./validation.ts";
import { tumbling, WindowEngine } from "./windowing/windows.ts";
import { productsStream } from "./products/products_stream.ts";
import type { ProductSums } from "./products/products.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";

const encoder = new TextEncoder();
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const MIN = 60_000;

function brokerRecord(value: string | Uint8Array, offset: number, timestamp = NOW): BrokerRecord {
  return {
    topic: "numbers",
    partition: 0,
    offset,
    key: null,
    value: typeof value === "string" ? encoder.encode(value) : value,
    headers: {},
    timestamp,
  };
}

type Step = "parse" | "document" | "contributions" | "live" | "eventTime" | "aggregation";

/** A stream of `{"n": <number>, "at": <ms>}` records that throws a plain error at `failAt` for n = 13. */
function numbers(failAt?: Step): StreamDefinition<{ n: number; at: number }, number> {
  const bug = (step: Step, n: number) => {
    if (step === failAt && n === 13) throw new TypeError(`cannot read ${step} of 13`);
  };
  return {
    name: "numbers",
    topic: "numbers",
    dlqTopic: "numbers.dlq",
    liveTopic: "numbers.live",
    collection: "numbers",
    parse: (record) => {
      const value = JSON.parse(new TextDecoder().decode(record.value));
      if (typeof value.n !== "number") {
        throw new InvalidFieldError({ path: "n", expected: "a number", got: value.n });
      }
      bug("parse", value.n);
      return { n: value.n, at: value.at ?? NOW };
    },
    document: (
      e,
      record,
    ) => (bug("document", e.n), { id: String(record.offset), ts: e.at, doc: e }),
    contributions: (e) => (bug("contributions", e.n), [{ dimension: "n", key: "all", amount: 1 }]),
    live: (e) => (bug("live", e.n), { n: e.n }),
    windows: {
      spec: tumbling(MIN, {
        outOfOrdernessMs: 5_000,
        allowedLatenessMs: 0,
        idleTimeoutMs: 30_000,
        maxFutureMs: 5 * MIN,
      }),
      eventTime: (e) => (bug("eventTime", e.n), e.at),
      timeField: "at",
      aggregation: { empty: () => 0, add: (acc, e) => (bug("aggregation", e.n), acc + e.n) },
    },
  };
}

function context<E, A>(definition: StreamDefinition<E, A>, maxRecordBytes = 1000) {
  const engine = new WindowEngine(definition.windows!.spec, definition.windows!.aggregation);
  engine.restore(0, NOW);
  const ctx: RecordContext<E, A> = { definition, engine, maxRecordBytes, now: NOW };
  return ctx;
}

for (const step of ["parse", "document", "contributions", "live", "eventTime", "aggregation"]) {
  Deno.test(`a record that makes ${step} throw is refused as processing-error and changes nothing`, () => {
    const ctx = context(numbers(step as Step));
    assert.equal(processRecord(ctx, brokerRecord('{"n": 1}', 0)).kind, "accepted");
    const before = ctx.engine!.partition(0)!.checkpoint();
    const outcome = processRecord(ctx, brokerRecord('{"n": 13}', 1));
    assert.equal(outcome.kind, "refused");
    if (outcome.kind !== "refused") return;
    assert.equal(outcome.refusal.code, PROCESSING_ERROR);
    assert.equal(outcome.refusal.exception?.class, "TypeError");
    assert.equal(outcome.refusal.exception?.message, `cannot read ${step} of 13`);
    assert.match(outcome.refusal.exception?.stacktrace ?? "", /process_record_test\.ts/);
    assert.deepEqual(
      ctx.engine!.partition(0)!.checkpoint(),
      { ...before, offset: 1 },
      "the windows hold only the record before; the failed offset is consumed",
    );
    const next = processRecord(ctx, brokerRecord('{"n": 2}', 2));
    assert.equal(next.kind, "accepted", "the stream goes on");
    assert.deepEqual(ctx.engine!.partition(0)!.open().map((w) => w.value), [3]);
  });
}

Deno.test("a bad record is refused with its code, field and message", () => {
  const outcome = processRecord(context(numbers()), brokerRecord('{"n": "x"}', 0));
  assert.equal(outcome.kind, "refused");
  if (outcome.kind !== "refused") return;
  assert.deepEqual(
    { code: outcome.refusal.code, field: outcome.refusal.field, reason: outcome.refusal.reason },
    { code: "invalid", field: "n", reason: '`n` must be a number, got "x"' },
  );
});

Deno.test("a record larger than the limit is refused as too-large without being parsed", () => {
  let parsed = 0;
  const definition = numbers();
  const ctx = context({ ...definition, parse: (r) => (parsed++, definition.parse(r)) }, 16);
  const outcome = processRecord(ctx, brokerRecord(`{"n": 1, "pad": "${"x".repeat(9)}"}`, 0));
  assert.equal(outcome.kind, "refused");
  if (outcome.kind !== "refused") return;
  assert.equal(outcome.refusal.code, "too-large");
  assert.match(outcome.refusal.reason, /28 bytes, more than the 16 a record may have/);
  assert.equal(parsed, 0);
  assert.equal(
    processRecord(ctx, brokerRecord('{"n": 123456789}', 1)).kind,
    "accepted",
    "16 bytes pass",
  );
});

Deno.test("an event time further ahead of the clock than the bound is invalid, naming the field", () => {
  const ctx = context(numbers());
  processRecord(ctx, brokerRecord(`{"n": 1}`, 0));
  const outcome = processRecord(ctx, brokerRecord(`{"n": 1, "at": ${Date.UTC(2099, 0, 1)}}`, 1));
  assert.equal(outcome.kind, "refused");
  if (outcome.kind !== "refused") return;
  assert.equal(outcome.refusal.code, "invalid");
  assert.equal(outcome.refusal.field, "at");
  assert.equal(
    outcome.refusal.reason,
    "`at` must be at most 5 min ahead of the processing clock (2026-11-22 12:05:00), " +
      "got 2099-01-01 00:00:00",
  );
  const w = ctx.engine!.partition(0)!;
  assert.equal(w.watermark, NOW - 5_000, "the watermark did not move");
  const old = processRecord(ctx, brokerRecord(`{"n": 1, "at": ${NOW - 4_000}}`, 2));
  assert.equal(old.kind, "accepted", "the next record on time is not late");
  const ahead = processRecord(ctx, brokerRecord(`{"n": 1, "at": ${NOW + 5 * MIN}}`, 3));
  assert.equal(ahead.kind, "accepted", "up to the bound is fine");
});

Deno.test("a replayed record the checkpoint already holds is skipped, even when it throws", () => {
  const ctx = context(numbers("document"));
  ctx.engine!.restore(0, NOW, { offset: 5, maxEventTime: null, watermark: null, windows: [] });
  assert.equal(processRecord(ctx, brokerRecord('{"n": 13}', 4)).kind, "included");
  assert.equal(processRecord(ctx, brokerRecord('{"n": 1}', 5)).kind, "included");
  assert.equal(processRecord(ctx, brokerRecord('{"n": 13}', 6)).kind, "refused");
});

Deno.test("a dead letter carries the input bytes and KIP-1034 style headers", () => {
  const record = brokerRecord('{"n": 13}', 7);
  const outcome = processRecord(context(numbers("live")), record);
  assert.equal(outcome.kind, "refused");
  if (outcome.kind !== "refused") return;
  const dead = deadLetter(record, outcome.refusal);
  assert.deepEqual(dead.value, record.value);
  const { "exception.stacktrace": stack, ...headers } = dead.headers!;
  assert.deepEqual(headers, {
    reason: "processing-error",
    "source.topic": "numbers",
    "source.partition": "0",
    "source.offset": "7",
    "source.timestamp": String(NOW),
    "error.code": "processing-error",
    "exception.class": "TypeError",
    "exception.message": "cannot read live of 13",
  });
  assert.ok(stack.length > 0 && stack.length <= MAX_STACK_CHARS);
  const invalid = processRecord(context(numbers()), brokerRecord('{"n": null}', 8));
  assert.equal(invalid.kind, "refused");
  if (invalid.kind !== "refused") return;
  const invalidHeaders = deadLetter(record, invalid.refusal).headers!;
  assert.equal(invalidHeaders.reason, "`n` must be a number, got null");
  assert.equal(invalidHeaders["error.code"], "invalid");
  assert.equal(invalidHeaders["error.field"], "n");
  assert.equal(invalidHeaders["exception.class"], "InvalidFieldError");
  assert.equal(invalidHeaders["exception.stacktrace"], undefined, "no stack for bad input");
});

Deno.test("anything thrown, even a value that cannot be printed, is refused", () => {
  const definition = numbers();
  const unprintable = {
    toString: () => {
      throw new Error("no");
    },
  };
  const ctx = context({
    ...definition,
    document: () => {
      throw unprintable;
    },
  });
  const outcome = processRecord(ctx, brokerRecord('{"n": 1}', 0));
  assert.equal(outcome.kind, "refused");
  if (outcome.kind !== "refused") return;
  assert.equal(outcome.refusal.code, PROCESSING_ERROR);
  assert.equal(outcome.refusal.exception?.class, "object");
});

Deno.test("a product whose total no longer fits the sums is refused and leaves its window as it was", async () => {
  const raw = new SqliteRawStore(":memory:");
  const definition = productsStream(DEFAULTS, raw);
  const ctx = context<unknown, ProductSums>(definition as StreamDefinition<unknown, ProductSums>);
  const product = (price: string, offset: number) =>
    brokerRecord(
      JSON.stringify({
        id: offset,
        product: "p",
        description: "",
        price,
        kdv: "0.18",
        timestamp_column: "2026-11-22 11:59:00",
      }),
      offset,
    );
  assert.equal(processRecord(ctx, product("1.00", 0)).kind, "accepted");
  const huge = processRecord(ctx, product("9".repeat(39), 1));
  assert.equal(huge.kind, "refused");
  assert.equal(processRecord(ctx, product("2.00", 2)).kind, "accepted", "the stream goes on");
  assert.deepEqual(ctx.engine!.partition(0)!.open().map((w) => w.value), [
    { records: 2, sumPrice: "3.00", sumTotal: "3.54" },
  ]);
  await raw.close();
});

Deno.test("bounds read as people write them", () => {
  assert.deepEqual(
    [duration(300_000), duration(7_200_000), duration(30_000), duration(1_500), duration(0)],
    ["5 min", "2 h", "30 s", "1500 ms", "0 ms"],
  );
});

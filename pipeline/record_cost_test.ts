/**
 * The processor's per-record budget: the worst records we can build within
 * the size limit (deep nesting, megabyte strings, many keys, huge exponents
 * and digit runs, in every field of every stream) are each decided, accepted
 * or refused, in under 50 ms of processor (CPU) time.
 */

import assert from "node:assert/strict";
import process from "node:process";
import { type Config, DEFAULTS, withConfig } from "../config.ts";
import type { BrokerRecord } from "./ports.ts";
import { processRecord, type RecordContext } from "./process_record.ts";
import { STREAMS } from "./stream_registry.ts";
import { seededRandom } from "./random.ts";
import { WindowEngine } from "./windowing/windows.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";

/** Most processor time one record may take, ms. */
const BUDGET_MS = 50;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const encoder = new TextEncoder();

/** JSON texts of about `bytes` bytes that are as costly as we can make them. */
function hostileValues(bytes: number): Record<string, string> {
  const depth = Math.floor(bytes / 2) - 16;
  const keys = Math.floor(bytes / 16);
  const values: Record<string, string> = {
    "deep array": "[".repeat(depth) + "]".repeat(depth),
    "deep object": '{"a":'.repeat(Math.floor(depth / 3)) + "1" + "}".repeat(Math.floor(depth / 3)),
    "1 MiB string": JSON.stringify("x".repeat(bytes - 64)),
    "1 MiB of escapes": `"${"\\u00e9".repeat(Math.floor((bytes - 64) / 6))}"`,
    "many keys": `{${Array.from({ length: keys }, (_, i) => `"k${i}":${i}`).join(",")}}`,
    "a million digits": "9".repeat(bytes - 64),
    "a million decimals": `"0.${"3".repeat(bytes - 64)}"`,
    "long array": `[${"1,".repeat(Math.floor(bytes / 2) - 32)}1]`,
  };
  for (const [what, text] of Object.entries(values)) assert.ok(text.length <= bytes, what);
  return values;
}

/** CPU time this process has used, ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function record(stream: string, text: string, offset: number): BrokerRecord {
  return {
    topic: stream,
    partition: 0,
    offset,
    key: null,
    value: encoder.encode(text),
    headers: {},
    timestamp: NOW,
  };
}

/** What feeding every stream `values` (in place of each field, beside them, alone) cost at most. */
async function costOf(values: Array<[string, string]>) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-cost-" });
  const config: Config = withConfig(DEFAULTS, { stores: { dataDir: dir } });
  const stores = {
    raw: new SqliteRawStore(`${dir}/store.db`),
    aggregates: new SqliteAggregateStore(`${dir}/store.db`),
  };
  const worst = { ms: 0, what: "" };
  const outcomes = new Map<string, number>();
  try {
    for (const module of STREAMS.modules) {
      const stream = module.name;
      const definition = module.definition({ config, ...stores });
      const engine = new WindowEngine(definition.windows!.spec, definition.windows!.aggregation);
      const context: RecordContext<unknown, unknown> = {
        definition,
        engine,
        maxRecordBytes: config.processor.maxRecordBytes,
        now: NOW,
      };
      const valid = module.source.generator({ history: false })(seededRandom(1), NOW);
      const texts: Array<[string, string]> = [["valid", JSON.stringify(valid)]];
      for (const [what, value] of values) {
        texts.push([what, value]);
        texts.push([
          `${what} beside the fields`,
          JSON.stringify(valid).slice(0, -1) + `,"x":${value}}`,
        ]);
        for (const field of Object.keys(valid as object)) {
          const fields = JSON.stringify({ ...(valid as object), [field]: null });
          texts.push([
            `${what} as \`${field}\``,
            fields.replace(`"${field}":null`, `"${field}":${value}`),
          ]);
        }
      }
      texts.push(["one byte too many", " ".repeat(config.processor.maxRecordBytes + 1)]);
      for (const [what, text] of texts) {
        const input = record(stream, text, 0);
        // CPU time, not wall time: other processes share the machine. The least of two
        // runs, each from the same fresh state: a GC pause belongs to no one record.
        let ms = Infinity;
        let kind = "";
        for (let run = 0; run < 2; run++) {
          engine.restore(0, NOW);
          const started = cpuMs();
          const outcome = processRecord(context, input);
          ms = Math.min(ms, cpuMs() - started);
          kind = outcome.kind === "refused" ? outcome.refusal.code : outcome.kind;
        }
        outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
        if (ms > worst.ms) Object.assign(worst, { ms, what: `${stream}: ${what} (${kind})` });
      }
    }
  } finally {
    await Promise.all([stores.raw.close(), stores.aggregates.close()]);
    await Deno.remove(dir, { recursive: true });
  }
  return { worst, outcomes };
}

// Room for the rest of the record: each hostile record stays within the size limit.
const HOSTILE = Object.entries(hostileValues(DEFAULTS.processor.maxRecordBytes - 4096));

Deno.test("no record costs more than 50 ms of processor time, whatever it holds", async () => {
  const { worst, outcomes } = await costOf(HOSTILE);
  assert.ok(
    worst.ms < BUDGET_MS,
    `the slowest record took ${worst.ms.toFixed(1)} ms: ${worst.what}`,
  );
  assert.ok((outcomes.get("accepted") ?? 0) >= STREAMS.modules.length, "the valid records pass");
  assert.ok((outcomes.get("invalid") ?? 0) > 100, "most hostile records are refused as invalid");
  assert.equal(outcomes.get("too-large"), STREAMS.modules.length, "only the one byte too many");
});

Deno.test("numbers written with huge exponents cost no more than 50 ms either", async () => {
  const { worst } = await costOf([
    ["exponent text", '"9.99e999999999"'],
    ["negative exponent text", '"1e-999999999"'],
    ["exponent number", "1e999999999"],
  ]);
  assert.ok(
    worst.ms < BUDGET_MS,
    `the slowest record took ${worst.ms.toFixed(1)} ms: ${worst.what}`,
  );
});

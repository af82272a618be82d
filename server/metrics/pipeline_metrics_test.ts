import assert from "node:assert/strict";
import { PipelineMetrics } from "./pipeline_metrics.ts";
import { exposition } from "./exposition.ts";

Deno.test("batch reports add up per stream, and every stream shows from zero before its first batch", () => {
  const metrics = new PipelineMetrics({ clicks: ["clicks", "views"] });
  metrics.record(
    { stream: "clicks", partition: 0, processed: 2, latenciesMs: [20, 400], storeWriteMs: 5 },
    1_000,
  );
  metrics.record(
    { stream: "clicks", partition: 1, processed: 1, latenciesMs: [3_000], storeWriteMs: 7 },
    1_000,
  );
  const text = exposition(metrics.families());
  assert.match(text, /^streamboard_records_processed_total\{stream="clicks"\} 3$/m);
  assert.match(text, /^streamboard_records_processed_total\{stream="views"\} 0$/m);
  assert.match(
    text,
    /^streamboard_processing_latency_seconds_bucket\{stream="clicks",le="0.025"\} 1$/m,
  );
  assert.match(text, /^streamboard_processing_latency_seconds_count\{stream="clicks"\} 3$/m);
  assert.match(text, /^streamboard_store_write_seconds_count\{stream="clicks"\} 2$/m);
});

Deno.test("a page's produce-to-stored figures cover the streams shown on it, over the last minute", () => {
  const metrics = new PipelineMetrics({ clicks: ["clicks", "views"], users: ["users"] });
  metrics.record(
    { stream: "views", partition: 0, processed: 2, latenciesMs: [10, 30], storeWriteMs: 1 },
    1_000,
  );
  assert.deepEqual(metrics.stored("clicks", 2_000), { p50: 10, p99: 30, count: 2 });
  assert.equal(metrics.stored("users", 2_000), null);
  assert.equal(metrics.stored("clicks", 61_000), null);
});

Deno.test("produce-to-browser counts each pushed event from its broker timestamp", () => {
  const metrics = new PipelineMetrics({ users: ["users"] });
  metrics.pushed("users", [9_990, 9_000], 10_000);
  const text = exposition(metrics.families());
  assert.match(
    text,
    /^streamboard_produce_to_browser_seconds_bucket\{page="users",le="0.01"\} 1$/m,
  );
  assert.match(text, /^streamboard_produce_to_browser_seconds_count\{page="users"\} 2$/m);
  assert.match(text, /^streamboard_produce_to_browser_seconds_sum\{page="users"\} 1.01$/m);
});

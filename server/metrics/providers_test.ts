import assert from "node:assert/strict";
import { consumerLagProvider, processProvider, recordsInProvider } from "./providers.ts";
import { exposition, type MetricFamily } from "./exposition.ts";

const text = async (families: MetricFamily[] | Promise<MetricFamily[]>) =>
  exposition(await families);

Deno.test("records in per topic are the sums of its partitions' high offsets", async () => {
  const provider = recordsInProvider(() =>
    Promise.resolve([
      {
        name: "users",
        partitions: [{ partition: 0, low: 3, high: 10 }, { partition: 1, low: 0, high: 5 }],
      },
      { name: "sales.dlq", partitions: [{ partition: 0, low: 0, high: 0 }] },
    ])
  );
  const out = await text(provider.collect());
  assert.match(out, /^# TYPE streamboard_records_in_total counter$/m);
  assert.match(out, /^streamboard_records_in_total\{topic="users"\} 15$/m);
  assert.match(out, /^streamboard_records_in_total\{topic="sales.dlq"\} 0$/m);
});

Deno.test("consumer lag shows per group, topic and partition; seconds only once known", async () => {
  const provider = consumerLagProvider(() => [
    {
      group: "users-processor",
      topic: "users",
      partitions: [
        { partition: 0, lag: 12, lagSeconds: 3.5 },
        { partition: 1, lag: 0, lagSeconds: null },
      ],
    },
    { group: "new-group", topic: null, partitions: [] },
  ]);
  const out = await text(provider.collect());
  assert.match(
    out,
    /^streamboard_consumer_lag_records\{group="users-processor",topic="users",partition="0"\} 12$/m,
  );
  assert.match(
    out,
    /^streamboard_consumer_lag_records\{group="users-processor",topic="users",partition="1"\} 0$/m,
  );
  assert.match(
    out,
    /^streamboard_consumer_lag_seconds\{group="users-processor",topic="users",partition="0"\} 3.5$/m,
  );
  assert.doesNotMatch(out, /lag_seconds\{[^}]*partition="1"/);
  assert.doesNotMatch(out, /new-group/);
});

Deno.test("process CPU is user plus system time in seconds; memory in bytes", async () => {
  const provider = processProvider({
    memory: () => ({ rss: 50_000_000, heapUsed: 9_000_000 }),
    cpu: () => ({ user: 1_500_000, system: 250_000 }),
  });
  const out = await text(provider.collect());
  assert.match(out, /^streamboard_process_cpu_seconds_total 1.75$/m);
  assert.match(out, /^streamboard_process_resident_memory_bytes 50000000$/m);
  assert.match(out, /^streamboard_process_heap_used_bytes 9000000$/m);
});

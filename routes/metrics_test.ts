import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";

/** The value of the one sample of `series` (name and labels as written), or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("GET /metrics counts exactly the records processed and dead-lettered, by stream and reason", async () => {
  const f = await startFixture();
  try {
    const random = seededRandom(7);
    const now = Date.now();
    const valid = Array.from({ length: 20 }, () => generateUser(random, now));
    await f.produce([...valid, "not json", { gender: "male" }, "{"], now - 50);
    await f.waitForUsers(20);
    let text = "";
    const deadline = Date.now() + 10_000;
    do {
      text = await (await f.app.request("/metrics")).text();
      if (
        valueOf(
          text,
          'streamboard_records_dead_lettered_total{stream="users",reason="invalid"}',
        ) === 3
      ) break;
      await delay(20);
    } while (Date.now() < deadline);

    const response = await f.app.request("/metrics");
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get("content-type"),
      "text/plain; version=0.0.4; charset=utf-8",
    );
    text = await response.text();
    assert.equal(valueOf(text, 'streamboard_records_processed_total{stream="users"}'), 20);
    assert.equal(
      valueOf(text, 'streamboard_records_dead_lettered_total{stream="users",reason="invalid"}'),
      3,
    );
    assert.equal(valueOf(text, 'streamboard_processing_latency_seconds_count{stream="users"}'), 20);
    assert.equal(
      valueOf(text, 'streamboard_processing_latency_seconds_bucket{stream="users",le="0.01"}'),
      0,
      "each record was produced 50 ms before the processor saw it",
    );
    assert.ok(valueOf(text, 'streamboard_store_write_seconds_count{stream="users"}')! >= 1);
    assert.match(text, /^streamboard_watermark_lag_seconds\{stream="users",partition="\d+"\} /m);
    assert.match(text, /^streamboard_open_windows\{stream="users",partition="\d+"\} \d+$/m);
    assert.equal(valueOf(text, 'streamboard_sse_viewers{page="users"}'), 0);
    assert.ok(valueOf(text, "streamboard_process_resident_memory_bytes")! > 0);
    assert.ok(valueOf(text, "streamboard_process_cpu_seconds_total")! > 0);
    for (const source of ["processors", "aggregate store", "raw store", "live hubs", "process"]) {
      assert.equal(valueOf(text, `streamboard_metrics_source_up{source="${source}"}`), 1, source);
    }
    assert.match(text, /^# TYPE streamboard_records_processed_total counter$/m);
    assert.match(text, /^# HELP streamboard_processing_latency_seconds /m);
  } finally {
    await f.close();
  }
});

Deno.test("GET /metrics counts a page's SSE viewers and the events pushed to them", async () => {
  const f = await startFixture();
  const controller = new AbortController();
  try {
    const stream = await f.app.request("/api/stream/users", { signal: controller.signal });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(seen)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${seen.slice(-500)}`);
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        seen += decoder.decode(value);
      }
    };
    await until(/event: snapshot/);
    const viewers = await (await f.app.request("/metrics")).text();
    assert.equal(valueOf(viewers, 'streamboard_sse_viewers{page="users"}'), 1);

    const random = seededRandom(8);
    const now = Date.now();
    await f.produce([generateUser(random, now), generateUser(random, now)], now);
    await until(/event: latency\ndata: \{[^\n]*"produced":\[\d+/);
    // The two may land on two partitions and reach the page in two updates.
    const series = 'streamboard_produce_to_browser_seconds_count{page="users"}';
    const deadline = Date.now() + 10_000;
    let text = "";
    do {
      text = await (await f.app.request("/metrics")).text();
      if (valueOf(text, series) === 2) break;
      await delay(20);
    } while (Date.now() < deadline);
    assert.equal(valueOf(text, series), 2);
    await reader.cancel();
  } finally {
    controller.abort();
    await f.close();
  }
});

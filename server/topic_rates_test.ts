import assert from "node:assert/strict";
import { TopicRates } from "./topic_rates.ts";
import type { TopicDescription } from "../pipeline/ports.ts";

const topic = (name: string, ...highs: number[]): TopicDescription => ({
  name,
  partitions: highs.map((high, partition) => ({ partition, low: 0, high })),
  retentionMs: null,
});

Deno.test("the rate is the records written over the sampled time, all partitions together", () => {
  const rates = new TopicRates(60_000);
  rates.record(0, [topic("t", 0, 0)]);
  assert.equal(rates.inPerSecond("t"), null, "one sample tells no rate");
  rates.record(5_000, [topic("t", 40, 10)]);
  assert.equal(rates.inPerSecond("t"), 10);
  rates.record(10_000, [topic("t", 40, 10)]);
  assert.equal(rates.inPerSecond("t"), 5, "nothing new for 5 s halves it");
  assert.equal(rates.inPerSecond("other"), null);
});

Deno.test("the rate looks back one minute: older records no longer count", () => {
  const rates = new TopicRates(60_000);
  rates.record(0, [topic("t", 0)]);
  rates.record(5_000, [topic("t", 6_000)]); // a burst
  for (let at = 10_000; at <= 70_000; at += 5_000) rates.record(at, [topic("t", 6_000)]);
  assert.equal(rates.inPerSecond("t"), 0, "the burst was more than a minute ago");
  rates.record(75_000, [topic("t", 6_300)]);
  assert.ok(Math.abs(rates.inPerSecond("t")! - 5) < 1e-9, `${rates.inPerSecond("t")}`);
});

Deno.test("a topic created again counts from its new start; a deleted topic is forgotten", () => {
  const rates = new TopicRates(60_000);
  rates.record(0, [topic("t", 1_000), topic("gone", 5)]);
  rates.record(10_000, [topic("t", 20), topic("gone", 5)]);
  assert.equal(rates.inPerSecond("t"), 0, "no negative rate");
  rates.record(20_000, [topic("t", 120)]);
  assert.equal(rates.inPerSecond("t"), 5);
  assert.equal(rates.inPerSecond("gone"), null);
});

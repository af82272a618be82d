import assert from "node:assert/strict";
import { liveBadge } from "./live_badge.ts";

Deno.test("the badge shows the connection while every server answers", () => {
  assert.deepEqual(liveBadge({ state: "live", degraded: null, down: [] }), {
    state: "live",
    label: "Live",
    down: [],
  });
  assert.equal(
    liveBadge({ state: "reconnecting", degraded: null, down: [] }).label,
    "Reconnecting…",
  );
});

Deno.test("the badge names the servers down, also on a page whose own reads still answer", () => {
  const badge = liveBadge({ state: "live", degraded: null, down: ["Kafka"] });
  assert.equal(badge.state, "degraded");
  assert.equal(badge.label, "Kafka down");
  assert.match(badge.title ?? "", /Kafka does not answer/);
  assert.deepEqual(badge.down, ["Kafka"]);
  assert.equal(
    liveBadge({ state: "live", degraded: null, down: ["Cassandra", "Kafka"] }).label,
    "Cassandra, Kafka down",
  );
});

Deno.test("a page served from its last snapshot names its own server first and says so", () => {
  const degraded = { server: "Cassandra", since: Date.UTC(2026, 0, 1, 12), error: "no answer" };
  const badge = liveBadge({ state: "live", degraded, down: ["Cassandra", "Kafka"] });
  assert.equal(badge.state, "degraded");
  assert.equal(badge.label, "Cassandra down · last known");
  assert.match(badge.title ?? "", /Cassandra does not answer since .*no answer.*what it last knew/);
  assert.deepEqual(badge.down, ["Cassandra", "Kafka"]);
});

import assert from "node:assert/strict";
import { runLagSampler } from "./lag_sampler.ts";
import { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import type { GroupDescription, TopicDescription } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { UnavailableError } from "../pipeline/errors.ts";

const TOPICS: TopicDescription[] = [
  { name: "users", partitions: [{ partition: 0, low: 0, high: 10 }], retentionMs: null },
];
const GROUPS: GroupDescription[] = [
  {
    group: "streamboard-users",
    state: "stable",
    members: [{ id: "m", client: "c", partitions: [] }],
    offsets: [{ topic: "users", partition: 0, committed: 4 }],
  },
];

/** A broker that is down for its first `failures` samples, then answers. */
function recovering(failures: number) {
  let asked = 0;
  return {
    get asked() {
      return asked;
    },
    describeTopics(): Promise<TopicDescription[]> {
      asked++;
      if (asked <= failures) {
        return Promise.reject(new UnavailableError("Kafka", "connection refused"));
      }
      return Promise.resolve(TOPICS);
    },
    describeGroups: () => Promise.resolve(GROUPS),
  };
}

Deno.test("a broker back from an outage is sampled again within the retry time, not a whole interval later; the outage is logged once", async () => {
  const broker = recovering(3);
  const tracker = new GroupLagTracker({ sampleMs: 60_000 });
  const said: string[] = [];
  const log: Logger = {
    info: (line) => said.push(`info ${line}`),
    warn: (line) => said.push(`warn ${line}`),
    error: (line) => said.push(`error ${line}`),
  };
  const controller = new AbortController();
  const started = Date.now();
  const sampling = runLagSampler({
    broker,
    tracker,
    intervalMs: 60_000,
    retryMs: 20,
    now: Date.now,
    log,
    signal: controller.signal,
  });
  try {
    while (tracker.sampledAt === undefined && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(tracker.sampledAt !== undefined, "sampled once the broker answered");
    assert.ok(Date.now() - started < 5_000);
    assert.equal(broker.asked, 4);
    assert.equal(tracker.lagView()[0]?.lag, 6);
    assert.deepEqual(said.map((line) => line.split(" ")[0]), ["warn", "info"]);
    assert.match(said[0], /refused/);
  } finally {
    controller.abort();
    await sampling;
  }
});

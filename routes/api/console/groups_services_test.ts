/**
 * The consumer-groups API's view (`groupsView`, what `GET /api/console/groups`
 * returns) against real Kafka, on a namespace of the test's own: a group
 * consuming a topic under load shows committed and end offsets, lag in
 * records and seconds and a status; its consumer stopped, the group goes
 * STALL or STOP, counts against readiness and its lag in seconds grows;
 * consuming again, it catches up. Only Kafka is needed: the consumer is a
 * plain group member, as the processor is one.
 */

import assert from "node:assert/strict";
import { KafkaBroker } from "../../../pipeline/kafka/kafka_broker.ts";
import { namespacedBroker } from "../../../pipeline/namespaced_broker.ts";
import {
  isolatedServicesEnv,
  KAFKA_BROKERS,
  withService,
} from "../../../pipeline/testing/services.ts";
import { loadConfig } from "../../../config.ts";
import { dropIsolatedRun } from "../../../pipeline/isolated_run.ts";
import { silentLogger } from "../../../pipeline/logger.ts";
import { delay } from "../../../pipeline/async.ts";
import { until } from "../../../pipeline/testing/until.ts";
import { GroupLagTracker } from "../../../pipeline/lag/group_lag_tracker.ts";
import { runLagSampler } from "../../../server/lag_sampler.ts";
import { groupsView, type GroupWithHistory, processorGroups } from "../../../server/groups_data.ts";

const SAMPLE_MS = 500;
/** Joining a Kafka group and Kafka's admin reads take seconds, not the embedded log's milliseconds. */
const WAIT_MS = 45_000;
const TOPIC = "orders";
const GROUP = "orders-counter";

await withService({ name: "Kafka", address: KAFKA_BROKERS[0] }, () => {
  Deno.test({
    name:
      "services: on Kafka a group whose consumer stops under load goes STALL or STOP and its lag seconds grow; consuming again, it catches up",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const config = loadConfig({ ...Deno.env.toObject(), ...isolatedServicesEnv("groups") });
      const namespace = config.broker.namespace;
      const kafka = new KafkaBroker({ brokers: KAFKA_BROKERS, logger: silentLogger, lingerMs: 2 });
      const broker = namespacedBroker(kafka, namespace);
      const tracker = new GroupLagTracker({ sampleMs: SAMPLE_MS });
      const stopAll = new AbortController();
      await broker.createTopics([{ name: TOPIC, partitions: 2 }]);
      const sampler = runLagSampler({
        broker,
        tracker,
        intervalMs: SAMPLE_MS,
        now: Date.now,
        log: silentLogger,
        signal: stopAll.signal,
      });
      const producing = (async () => {
        for (let n = 0; !stopAll.signal.aborted; n++) {
          const value = new TextEncoder().encode(JSON.stringify({ n }));
          await broker.produce(TOPIC, [{ key: `k${n % 7}`, value }]);
          await delay(20, stopAll.signal);
        }
      })();
      const consume = () => {
        const stop = new AbortController();
        const running = broker.consume({
          groupId: GROUP,
          topics: [TOPIC],
          signal: AbortSignal.any([stop.signal, stopAll.signal]),
          handle: () => Promise.resolve(),
        });
        return async () => {
          stop.abort();
          await running;
        };
      };
      const entry = (): GroupWithHistory | undefined =>
        (groupsView(tracker, true) as GroupWithHistory[]).find((g) => g.group === GROUP);
      const group = (): GroupWithHistory => {
        const found = entry();
        assert.ok(found, `group ${GROUP} in the view`);
        return found;
      };
      const notReady = processorGroups(tracker, [{ topics: { group: GROUP } }]);
      let stopConsumer = consume();
      try {
        // Burrow rightly calls a member still joining under load STALL: wait for it to keep up.
        await until(() => {
          const g = entry();
          return Promise.resolve(
            g !== undefined && g.history.length >= 3 && g.lagSeconds !== null &&
              ["OK", "WARN"].includes(g.status),
          );
        }, WAIT_MS);
        const running = group();
        assert.equal(running.topic, TOPIC, "topic names without the namespace");
        assert.equal(running.state, "stable");
        assert.ok(running.members.length > 0, "the consumer is a member");
        assert.deepEqual(running.partitions.map((p) => p.partition), [0, 1]);
        for (const p of running.partitions) {
          assert.ok(p.end > 0, `partition ${p.partition} has records`);
          assert.ok(p.committed > 0 && p.committed <= p.end, `committed ${p.committed}/${p.end}`);
          assert.equal(p.lag, p.end - p.committed);
        }
        assert.equal(running.lag, running.partitions.reduce((sum, p) => sum + p.lag, 0));

        await stopConsumer();
        await until(() => Promise.resolve(["STALL", "STOP"].includes(group().status)), WAIT_MS);
        const stopped = group();
        assert.equal(stopped.members.length, 0, "the consumer left the group");
        assert.deepEqual(notReady(), [{ group: GROUP, topic: TOPIC, status: stopped.status }]);
        // Kafka's admin reads take their time: wait for samples a second later, not for a delay.
        const sampled = (g: GroupWithHistory) => g.history.at(-1)?.t ?? 0;
        let later = stopped;
        await until(
          () => Promise.resolve(sampled(later = group()) >= sampled(stopped) + 1000),
          WAIT_MS,
        );
        const before = stopped.lagSeconds ?? 0;
        assert.ok(later.lag > stopped.lag, `lag in records grows: ${stopped.lag} → ${later.lag}`);
        assert.ok(
          later.lagSeconds !== null && later.lagSeconds >= before + 0.5,
          `lag in seconds grows with the wall clock: ${before} → ${later.lagSeconds}`,
        );
        assert.ok(later.partitions.some((p) => p.status === "STALL" || p.status === "STOP"));

        stopConsumer = consume();
        await until(() => Promise.resolve(group().status === "OK"), WAIT_MS);
        const back = group();
        assert.ok(back.members.length > 0, "a member again");
        assert.ok(
          back.lagSeconds !== null && back.lagSeconds < later.lagSeconds!,
          `caught up: ${later.lagSeconds} → ${back.lagSeconds}`,
        );
        assert.deepEqual(notReady(), [{ group: GROUP, topic: TOPIC, status: "OK" }]);
      } finally {
        stopAll.abort();
        await Promise.all([stopConsumer(), producing, sampler]);
        await kafka.close();
        await dropIsolatedRun(config);
      }
    },
  });
});

/**
 * The consumer-groups API against real Kafka (MongoDB and Cassandra behind the
 * processor), on topics, a database and a keyspace of the test's own: the
 * users processor's group shows committed and end offsets, lag in records and
 * seconds and a status; stopped under load it goes STALL or STOP, `/readyz`
 * turns 503 and its lag in seconds grows; started again, it catches up.
 */

import assert from "node:assert/strict";
import { loadConfig } from "../../../config.ts";
import { startFixture } from "../../../testing/app_fixture.ts";
import {
  findUsersGroup,
  produceUnderLoad,
  readiness,
  usersGroup,
} from "../../../testing/group_probe.ts";
import { USERS } from "../../../pipeline/users/users_stream.ts";
import { delay } from "../../../pipeline/async.ts";
import { until } from "../../../pipeline/testing/until.ts";
import { isolatedServicesEnv, withAllServices } from "../../../pipeline/testing/services.ts";
import { dropIsolatedRun } from "../../../pipeline/isolated_run.ts";

/** Kafka answers an admin round in tens of ms; sampling faster would only measure that. */
const SAMPLE_MS = 500;
/** Joining a Kafka group and catching up take seconds, not the embedded log's milliseconds. */
const WAIT_MS = 60_000;

await withAllServices(() => {
  Deno.test({
    name:
      "services: on Kafka a processor stopped under load goes STALL or STOP, /readyz 503, lag seconds grow; restarted, it catches up",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const isolated = loadConfig({ ...Deno.env.toObject(), ...isolatedServicesEnv("groups") });
      const { namespace, kafkaBrokers } = isolated.broker;
      const { mongodbUrl, mongodbDb, cassandraContactPoints, cassandraDc, cassandraKeyspace } =
        isolated.stores;
      const f = await startFixture({
        mode: "services",
        broker: { namespace, kafkaBrokers },
        stores: { mongodbUrl, mongodbDb, cassandraContactPoints, cassandraDc, cassandraKeyspace },
        web: { lagSampleMs: SAMPLE_MS },
      });
      const stopLoad = produceUnderLoad(f, { seed: 11, batch: 5, everyMs: 50 });
      const users = () => usersGroup(f);
      const ready = () => readiness(f);
      try {
        await until(async () => {
          const entry = await findUsersGroup(f);
          return entry !== undefined && entry.history.length >= 3 && entry.lagSeconds !== null;
        }, WAIT_MS);
        const running = await users();
        assert.equal(running.topic, USERS.topic, "topic names without the namespace");
        assert.equal(running.state, "stable");
        assert.ok(running.members.length > 0, "the processor is a member");
        assert.ok(["OK", "WARN"].includes(running.status), `running: ${running.status}`);
        assert.ok(running.partitions.length > 0, "a row per partition");
        for (const p of running.partitions) {
          assert.ok(p.end > 0, `partition ${p.partition} has records`);
          assert.ok(p.committed > 0 && p.committed <= p.end, `committed ${p.committed}/${p.end}`);
          assert.equal(p.lag, p.end - p.committed);
        }
        assert.equal(running.lag, running.partitions.reduce((sum, p) => sum + p.lag, 0));
        assert.equal((await ready()).status, 200);

        await f.stopProcessors();
        await until(async () => ["STALL", "STOP"].includes((await users()).status), WAIT_MS);
        const stopped = await users();
        assert.equal(stopped.members.length, 0, "the consumer left the group");
        const notReady = await ready();
        assert.equal(notReady.status, 503);
        assert.deepEqual(notReady.body.stalledGroups, [
          { group: USERS.group, topic: USERS.topic, status: stopped.status },
        ]);
        const before = stopped.lagSeconds ?? 0;
        await delay(4 * SAMPLE_MS);
        const later = await users();
        assert.ok(later.lag > stopped.lag, `lag in records grows: ${stopped.lag} → ${later.lag}`);
        assert.ok(
          later.lagSeconds !== null && later.lagSeconds >= before + SAMPLE_MS / 1000,
          `lag in seconds grows with the wall clock: ${before} → ${later.lagSeconds}`,
        );
        assert.ok(later.partitions.some((p) => p.status === "STALL" || p.status === "STOP"));

        f.startProcessors();
        await until(
          async () => (await ready()).status === 200 && (await users()).status === "OK",
          WAIT_MS,
        );
        const back = await users();
        assert.ok(
          back.lagSeconds !== null && back.lagSeconds < later.lagSeconds!,
          `caught up: ${later.lagSeconds} → ${back.lagSeconds}`,
        );
        assert.ok(back.members.length > 0, "a member again");
      } finally {
        await stopLoad();
        await f.close();
        await dropIsolatedRun(f.state.config);
      }
    },
  });
});

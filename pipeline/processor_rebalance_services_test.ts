/**
 * Two users processors in one consumer group on the real servers; one stops
 * cleanly while the backlog is being processed (its partitions move to the
 * other in a rebalance, mid-stream). Every user must be stored and counted
 * exactly once, and the newest users the read models keep must be the raw
 * store's newest.
 */

import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { openPipeline } from "./wiring.ts";
import { STREAMS } from "./stream_registry.ts";
import { silentLogger } from "./logger.ts";
import { generateUser } from "./users/generator.ts";
import { seededRandom } from "./random.ts";
import { NEWEST_KEPT, USERS } from "./users/users_stream.ts";
import { userStats } from "../server/users_data.ts";
import { delay } from "./async.ts";
import { isolatedServicesEnv, withAllServices } from "./testing/services.ts";
import { dropIsolatedRun } from "./isolated_run.ts";
import { runProcessor } from "./workers/run_processor.ts";
import { newestDocuments } from "./read_models.ts";

const TOTAL = 6000;
const PER_PRODUCE = 500;

await withAllServices(() => {
  Deno.test({
    name:
      "services: a processor that stops under load hands its partitions over; nothing lost or counted twice",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const env = {
        ...isolatedServicesEnv("rebalance"),
        STREAMBOARD_BATCH_SIZE: "200",
        STREAMBOARD_STREAMS: "users",
      };
      const config = loadConfig({ ...Deno.env.toObject(), ...env });
      const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
      const job = { config, registry: STREAMS.ref, stream: "users" as const };
      const stopping = new AbortController();
      const staying = new AbortController();
      const leaving = runProcessor(job, stopping.signal);
      const remaining = runProcessor(job, staying.signal);
      try {
        const random = seededRandom(77);
        const expected = { male: 0, female: 0 };
        const encoder = new TextEncoder();
        const produce = async (count: number) => {
          const users = Array.from({ length: count }, () => generateUser(random, Date.now()));
          for (const u of users) expected[u.gender as "male" | "female"]++;
          await pipeline.broker.produce(
            USERS.topic,
            users.map((u) => ({ key: u.login.uuid, value: encoder.encode(JSON.stringify(u)) })),
          );
        };
        for (let sent = 0; sent < TOTAL / 2; sent += PER_PRODUCE) await produce(PER_PRODUCE);
        const startBy = Date.now() + 90_000;
        while ((await userStats(pipeline.aggregates)).total < 500) {
          assert.ok(Date.now() < startBy, "processing started");
          await delay(50);
        }
        // Under load: the rest is produced while one member leaves the group.
        stopping.abort();
        for (let sent = TOTAL / 2; sent < TOTAL; sent += PER_PRODUCE) await produce(PER_PRODUCE);
        await leaving;
        const doneBy = Date.now() + 180_000;
        let stats = await userStats(pipeline.aggregates);
        while (stats.total < TOTAL && Date.now() < doneBy) {
          await delay(250);
          stats = await userStats(pipeline.aggregates);
        }
        await delay(1000);
        assert.deepEqual(await userStats(pipeline.aggregates), {
          total: TOTAL,
          male: expected.male,
          female: expected.female,
          other: 0,
          rejected: 0,
        });
        assert.equal(await pipeline.raw.count(USERS.collection), TOTAL, "each user stored once");
        const kept = await newestDocuments(pipeline.raw, USERS.name, NEWEST_KEPT);
        const listed = await pipeline.raw.list(USERS.collection, { limit: NEWEST_KEPT });
        assert.deepEqual(kept?.map((d) => d.id), listed.items.map((d) => d.id));
      } finally {
        stopping.abort();
        staying.abort();
        await Promise.allSettled([leaving, remaining]);
        await pipeline.close();
        await dropIsolatedRun(config);
      }
    },
  });
});

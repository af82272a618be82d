/**
 * The whole pipeline on the real servers: 20,000 users produced through
 * kafkajs, two StreamBoard processes (two processors in one consumer group),
 * one killed with SIGKILL mid-stream. MongoDB must end with exactly the
 * 20,000 documents and Cassandra's totals with the exact gender counts.
 */

import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { startApp } from "./app_process.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { userStats } from "../server/users_data.ts";
import { delay } from "../pipeline/async.ts";
import { isolatedServicesEnv, withAllServices } from "../pipeline/testing/services.ts";
import { dropIsolatedRun } from "../pipeline/isolated_run.ts";

const TOTAL = 20_000;

await withAllServices(() => {
  Deno.test({
    name: "services e2e: two processors, one killed mid-stream: exact documents and totals",
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const env = {
        ...isolatedServicesEnv("e2e"),
        STREAMBOARD_BATCH_SIZE: "500",
        STREAMBOARD_STREAMS: "users",
      };
      const config = loadConfig({ ...Deno.env.toObject(), ...env });
      const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
      const first = await startApp(env);
      const second = await startApp(env);
      try {
        await delay(3000);
        const random = seededRandom(4242);
        const expected = { male: 0, female: 0 };
        const encoder = new TextEncoder();
        for (let i = 0; i < TOTAL; i += 1000) {
          const batch = Array.from(
            { length: 1000 },
            () => generateUser(random, Date.now()),
          );
          for (const u of batch) {
            expected[u.gender as "male" | "female"]++;
          }
          await pipeline.broker.produce(
            USERS.topic,
            batch.map((u) => ({
              key: u.login.uuid,
              value: encoder.encode(JSON.stringify(u)),
            })),
          );
        }
        let stored = 0;
        const killBy = Date.now() + 60_000;
        while ((stored = await pipeline.raw.count(USERS.collection)) < 2000) {
          assert.ok(
            Date.now() < killBy,
            `processing started:\n${first.output()}\n${second.output()}`,
          );
          await delay(20);
        }
        await first.stop("SIGKILL");
        assert.ok(stored < TOTAL, `killed mid-stream (${stored} stored)`);

        const deadline = Date.now() + 120_000;
        let stats = await userStats(pipeline.aggregates);
        while (
          (stats.total < TOTAL || (await pipeline.raw.count(USERS.collection)) < TOTAL) &&
          Date.now() < deadline
        ) {
          await delay(250);
          stats = await userStats(pipeline.aggregates);
        }
        await delay(1000);
        assert.equal(
          await pipeline.raw.count(USERS.collection),
          TOTAL,
          "exactly 20,000 documents",
        );
        assert.deepEqual(await userStats(pipeline.aggregates), {
          total: TOTAL,
          male: expected.male,
          female: expected.female,
          other: 0,
          rejected: 0,
        });
        const served = await (await fetch(new URL("/stats", second.url))).json();
        assert.equal(served.total, TOTAL, "the surviving process serves the same totals");
      } finally {
        await Promise.all([first.stop("SIGKILL"), second.stop("SIGTERM")]);
        await pipeline.close();
        await dropIsolatedRun(config);
      }
    },
  });
});

/**
 * Exactness across real crashes: StreamBoard processes 20,000 users while
 * being killed with SIGKILL at random moments; after a final restart the
 * documents and the totals are exactly those of a run without crashes.
 */

import assert from "node:assert/strict";
import { DEFAULTS, withConfig } from "../config.ts";
import { startApp } from "./app_process.ts";
import { assertEachUserOnce, seedUsers } from "./seed_users.ts";
import { seededRandom } from "../pipeline/random.ts";
import { delay } from "../pipeline/async.ts";

const USERS_TOTAL = 20_000;

Deno.test({
  name: "e2e: SIGKILL mid-stream and restart: no user lost, none counted twice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "streamboard-crash-" });
    const config = withConfig(DEFAULTS, { stores: { dataDir } });
    const expected = await seedUsers(config, { count: USERS_TOTAL, seed: 2026 });

    const env = {
      STREAMBOARD_PRODUCE: "0",
      STREAMBOARD_BATCH_SIZE: "400",
      STREAMBOARD_STREAMS: "users",
    };
    const killedAt: number[] = [];
    const kills = seededRandom(5);
    for (let round = 0; round < 4; round++) {
      const app = await startApp(env, dataDir);
      // Kill while the processor works: once it has stored something (a loaded machine
      // may take seconds to start a worker), after a random moment more.
      const started = Date.now();
      const before = killedAt.at(-1) ?? 0;
      while (
        (await (await fetch(new URL("/stats", app.url))).json()).total <= before &&
        Date.now() - started < 30_000
      ) {
        await delay(20);
      }
      await delay(kills.int(50, 400));
      const stats = await (await fetch(new URL("/stats", app.url))).json();
      killedAt.push(stats.total);
      await app.stop("SIGKILL");
    }
    assert.ok(
      killedAt.some((total) => total > 0 && total < USERS_TOTAL),
      `at least one kill landed mid-stream (totals seen: ${killedAt.join(", ")})`,
    );

    const app = await startApp(env, dataDir);
    const deadline = Date.now() + 120_000;
    let stats;
    do {
      await delay(200);
      stats = await (await fetch(new URL("/stats", app.url))).json();
    } while (stats.total < USERS_TOTAL && Date.now() < deadline);
    await delay(500);
    assert.equal((await app.stop("SIGTERM")).code, 0);

    try {
      await assertEachUserOnce(config, { count: USERS_TOTAL, genders: expected });
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/**
 * `STREAMBOARD_PROCESSOR_WORKERS=2`: two processor workers per stream in one
 * process share the stream's partitions as members of its consumer group, and
 * every record is stored and counted exactly once.
 */

import assert from "node:assert/strict";
import { DEFAULTS, withConfig } from "../config.ts";
import { startApp } from "./app_process.ts";
import { assertEachUserOnce, seedUsers } from "./seed_users.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { delay } from "../pipeline/async.ts";

const USERS_TOTAL = 6_000;

Deno.test({
  name:
    "e2e: two processor workers per stream share its partitions; every user stored and counted once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "streamboard-workers-" });
    const config = withConfig(DEFAULTS, { stores: { dataDir } });
    const expected = await seedUsers(config, { count: USERS_TOTAL, seed: 7 });

    const app = await startApp({
      STREAMBOARD_PRODUCE: "0",
      STREAMBOARD_BATCH_SIZE: "200",
      STREAMBOARD_STREAMS: "users",
      STREAMBOARD_PROCESSOR_WORKERS: "2",
    }, dataDir);
    let members: unknown[] = [];
    let total = 0;
    const deadline = Date.now() + 90_000;
    while ((members.length < 2 || total < USERS_TOTAL) && Date.now() < deadline) {
      await delay(200);
      // 404 until the group has committed or joined.
      const groups = await (await fetch(new URL(`/api/console/groups/${USERS.group}`, app.url)))
        .json();
      members = Array.isArray(groups) ? groups[0]?.members ?? [] : [];
      total = (await (await fetch(new URL("/stats", app.url))).json()).total;
    }
    const output = app.output();
    assert.equal((await app.stop("SIGTERM")).code, 0);
    assert.equal(members.length, 2, `two members in the users group:\n${output}`);
    assert.match(output, /this member holds 2 of 4 partitions/, "each took its share");

    try {
      await assertEachUserOnce(config, { count: USERS_TOTAL, genders: expected });
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/**
 * The consumer groups console in the whole app (embedded broker, real
 * processor, the lag sampler): a processor stopped under load turns its
 * group STALL or STOP, `/readyz` 503 and its lag in seconds grows; started
 * again, all comes back.
 */

import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { delay } from "../pipeline/async.ts";
import { until } from "../pipeline/testing/until.ts";
import type { GroupWithHistory } from "../server/groups_data.ts";

const SAMPLE_MS = 50;

Deno.test("a processor stopped under load: its group goes STALL or STOP, /readyz 503, lag seconds grow; restarted, all comes back", async () => {
  const f = await startFixture({ web: { lagSampleMs: SAMPLE_MS } });
  const random = seededRandom(7);
  const load = new AbortController();
  const producing = (async () => {
    while (!load.signal.aborted) {
      await f.produce(Array.from({ length: 10 }, () => generateUser(random, Date.now())));
      await delay(20, load.signal);
    }
  })();
  const users = async (): Promise<GroupWithHistory> => {
    const res = await f.app.request(`/api/console/groups/${USERS.group}`);
    assert.equal(res.status, 200);
    const [entry] = await res.json() as GroupWithHistory[];
    return entry;
  };
  const ready = async () => {
    const res = await f.app.request("/readyz");
    return { status: res.status, body: await res.json() };
  };
  try {
    await until(async () => {
      const g = await f.app.request(`/api/console/groups/${USERS.group}`);
      return g.status === 200 && (await g.json())[0].history.length >= 12;
    });
    const running = await users();
    assert.equal(running.topic, USERS.topic);
    assert.ok(running.members.length > 0, "the processor is a member");
    assert.ok(["OK", "WARN"].includes(running.status), `running: ${running.status}`);
    assert.equal((await ready()).status, 200);

    await f.stopProcessors();
    await until(async () => ["STALL", "STOP"].includes((await users()).status));
    const stopped = await users();
    const notReady = await ready();
    assert.equal(notReady.status, 503);
    assert.deepEqual(notReady.body.stalledGroups, [
      { group: USERS.group, topic: USERS.topic, status: stopped.status },
    ]);
    const before = stopped.lagSeconds ?? 0;
    await delay(600);
    const later = await users();
    assert.ok(later.lag > stopped.lag, `lag in records grows: ${stopped.lag} → ${later.lag}`);
    assert.ok(
      later.lagSeconds !== null && later.lagSeconds >= before + 0.4,
      `lag in seconds grows with the wall clock: ${before} → ${later.lagSeconds}`,
    );
    assert.ok(later.partitions.some((p) => p.status === "STALL" || p.status === "STOP"));

    f.startProcessors();
    await until(async () => (await ready()).status === 200 && (await users()).status === "OK");
    const back = await users();
    assert.ok(
      back.lagSeconds !== null && back.lagSeconds < before,
      `caught up: ${back.lagSeconds}`,
    );
    assert.ok(back.history.length > later.history.length, "the history goes on");
  } finally {
    load.abort();
    await producing;
    await f.close();
  }
});

Deno.test("the groups API: every group, history on request, 404 for an unknown group, 400 for a bad parameter", async () => {
  const f = await startFixture({ web: { lagSampleMs: SAMPLE_MS } });
  try {
    await f.produce([generateUser(seededRandom(1), Date.now())]);
    await f.waitForUsers(1);
    await until(async () => {
      const groups = await (await f.app.request("/api/console/groups")).json();
      return groups.some((g: GroupWithHistory) => g.group === USERS.group && g.lag === 0);
    });
    const [users] = (await (await f.app.request("/api/console/groups")).json())
      .filter((g: GroupWithHistory) => g.group === USERS.group);
    assert.equal(users.history, undefined, "no history unless asked");
    assert.deepEqual(Object.keys(users).sort(), [
      "group",
      "lag",
      "lagSeconds",
      "members",
      "partitions",
      "state",
      "status",
      "topic",
    ]);
    assert.ok(
      users.partitions.every((p: { lag: number; committed: number; end: number }) =>
        p.lag === 0 && p.committed === p.end
      ),
    );
    const withHistory = await (await f.app.request("/api/console/groups?history=1")).json();
    assert.ok(withHistory.every((g: GroupWithHistory) => Array.isArray(g.history)));

    const unknown = await f.app.request("/api/console/groups/nobody");
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error, /no consumer group "nobody"/);
    const bad = await f.app.request("/api/console/groups?history=yes");
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /history must be 0 or 1/);

    const page = await f.app.request("/console/groups");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(`data-group="${USERS.group}"`));
    assert.match(html, /data-status="OK"/);
    const live = await (await f.app.request("/api/pages/console-groups")).json();
    assert.ok(live.groups.some((g: GroupWithHistory) => g.group === USERS.group));
  } finally {
    await f.close();
  }
});

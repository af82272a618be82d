/**
 * The dead-letter API on the whole app (embedded log and stores, the users
 * processor running): listing with filters, bad parameters, unknown streams,
 * replay by position and by filter, the write token, and what became of each
 * replay.
 */

import assert from "node:assert/strict";
import { startFixture } from "../../../testing/app_fixture.ts";
import { USERS } from "../../../pipeline/users/users_stream.ts";
import { generateUser } from "../../../pipeline/users/generator.ts";
import { seededRandom } from "../../../pipeline/random.ts";
import { REPLAY_HEADER } from "../../../pipeline/replay.ts";
import { until } from "../../../pipeline/testing/until.ts";
import type { DeadLetterView } from "../../../server/dead_letter_view.ts";

const encoder = new TextEncoder();
const BASE = "http://localhost";

async function list(
  app: { request(path: string): Response | Promise<Response> },
  query = "",
): Promise<DeadLetterView[]> {
  const response = await app.request(`/api/console/dead-letters/users${query}`);
  assert.equal(response.status, 200, await response.clone().text());
  return await response.json();
}

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}/api/console/dead-letters/users/replay`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

Deno.test("dead letters are listed newest first with reason, source and bytes, replayed once, and their outcome shown", async () => {
  const f = await startFixture({ web: { writeToken: "secret" } });
  try {
    const user = generateUser(seededRandom(5), Date.now());
    const auth = { authorization: "Bearer secret" };
    await f.produce([{ gender: "female" }]);
    await f.pipeline.broker.produce(USERS.topic, [
      // Not UTF-8: listed as text with its base64 beside.
      { key: null, value: new Uint8Array([0xff, 0xfe, 0x7b]) },
      // A valid user with a broken replay header: refused; its replay (a good header) is processed.
      {
        key: user.login.uuid,
        value: encoder.encode(JSON.stringify(user)),
        headers: { [REPLAY_HEADER]: "yesterday" },
      },
    ]);
    let letters: DeadLetterView[] = [];
    await until(async () => (letters = await list(f.app)).length === 3);
    const [badHeader, binary, invalid] = letters;
    assert.deepEqual(letters.map((l) => l.offset), [2, 1, 0]);
    assert.equal(invalid.code, "invalid");
    assert.ok(invalid.reason.length > 0);
    assert.match(invalid.exception?.class ?? "", /Error$/);
    assert.equal(invalid.source?.topic, "users");
    assert.equal(invalid.value, '{"gender":"female"}');
    assert.equal(invalid.valueBase64, undefined);
    assert.equal(invalid.replay, null);
    assert.equal(binary.valueBase64, btoa("\xff\xfe\x7b"));
    assert.equal(badHeader.replayOf, "yesterday");
    assert.equal(badHeader.code, "invalid");

    assert.deepEqual((await list(f.app, "?reason=invalid&limit=1")).length, 1);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual(await list(f.app, `?from=${future}`), []);
    const paged = await f.app.request("/api/console/dead-letters/users?limit=2");
    const next = paged.headers.get("link")?.match(/<([^>]+)>; rel="next"/)?.[1];
    assert.ok(next, "a next link while more may match");
    assert.deepEqual((await list(f.app, next.slice(next.indexOf("?")))).map((l) => l.offset), [0]);

    for (const query of ["?limit=0", "?from=yesterday", "?cursor=x", "?reasons=late"]) {
      const response = await f.app.request(`/api/console/dead-letters/users${query}`);
      assert.equal(response.status, 400, query);
      assert.ok((await response.json()).error);
    }
    assert.equal((await f.app.request("/api/console/dead-letters/nope")).status, 404);

    const positions = [{ partition: 0, offset: 0 }, { partition: 0, offset: 2 }];
    assert.equal((await f.app.request(post({ offsets: positions }))).status, 401);
    assert.equal((await f.app.request(post({ offsets: [] }, auth))).status, 400);
    assert.equal((await f.app.request(post({}, auth))).status, 400);
    const nope = new Request(`${BASE}/api/console/dead-letters/nope/replay`, post({}, auth));
    assert.equal((await f.app.request(nope)).status, 404);

    const replayed = await f.app.request(
      post({ offsets: [...positions, { partition: 0, offset: 99 }] }, auth),
    );
    assert.equal(replayed.status, 202);
    const result = await replayed.json();
    assert.deepEqual(result.replayed, positions);
    assert.deepEqual(result.skipped.map((s: { offset: number }) => s.offset), [99]);

    await until(async () => (await list(f.app)).filter((l) => l.replay).length >= 3);
    letters = await list(f.app);
    const byOffset = new Map(letters.map((l) => [l.offset, l]));
    assert.deepEqual(byOffset.get(2)?.replay, { outcome: "processed" });
    assert.deepEqual(byOffset.get(0)?.replay, {
      outcome: "dead-lettered",
      code: "invalid",
      reason: invalid.reason,
    });
    const again = letters.find((l) => l.replayOf === "users.dlq/0/0");
    assert.equal(again?.code, "invalid", "the unfixed record came back with its reason");
    await f.waitForUsers(1);

    const second = await (await f.app.request(post({ offsets: [positions[1]] }, auth))).json();
    assert.deepEqual(second.replayed, []);
    assert.match(second.skipped[0].why, /already replayed and processed/);

    const byFilter = await (await f.app.request(post({ reason: "invalid" }, auth))).json();
    assert.deepEqual(
      byFilter.replayed,
      [{ partition: 0, offset: 3 }, { partition: 0, offset: 1 }],
      "one replay per dead letter (offset 3 stands for 0); none of one already processed (2)",
    );
    assert.equal(byFilter.next, null);
    assert.equal(await f.pipeline.raw.count(USERS.collection), 1);
  } finally {
    await f.close();
  }
});

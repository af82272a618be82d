import assert from "node:assert/strict";
import { type Fixture, startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { storedRecord, USERS } from "../pipeline/users/users_stream.ts";
import { LOGIN_SECRETS } from "../pipeline/users/login_secrets.ts";
import type { RandomUserRecord } from "../pipeline/users/randomuser.ts";

/** Users whose every secret is a distinctive text, so finding it anywhere is a leak. */
function usersWithSecrets(count: number): RandomUserRecord[] {
  const random = seededRandom(77);
  return Array.from({ length: count }, (_, n) => {
    const user = generateUser(random, Date.now());
    for (const field of LOGIN_SECRETS) user.login[field] = `leak-${field}-${n}-x9q`;
    return user;
  });
}

/** The first SSE frames of `path` until `enough` says the text holds what is wanted. */
async function sseText(f: Fixture, path: string, enough: (text: string) => boolean) {
  const reader = (await f.app.request(path)).body!.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  try {
    while (!enough(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

async function storedRecords(f: Fixture): Promise<string> {
  const page = await f.pipeline.raw.list(USERS.collection, { limit: 100 });
  return page.items.map((d) => JSON.stringify(storedRecord(d.doc))).join("\n");
}

Deno.test("by default the login secrets are removed at ingestion: the store never holds them", async () => {
  const f = await startFixture();
  try {
    const users = usersWithSecrets(3);
    await f.produce(users);
    await f.waitForUsers(3);
    const stored = await storedRecords(f);
    assert.doesNotMatch(stored, /leak-/);
    assert.ok(stored.includes(users[0].login.uuid) && stored.includes(users[0].login.username));
  } finally {
    await f.close();
  }
});

Deno.test("with keepLoginSecrets the store keeps them, and no API, page, SSE event or export serves them", async () => {
  const f = await startFixture({ streams: { users: { keepLoginSecrets: true } } });
  try {
    const users = usersWithSecrets(3);
    const live = sseText(
      f,
      "/api/stream/users",
      (t) => users.every((u) => t.includes(u.login.uuid)),
    );
    await f.produce(users);
    await f.waitForUsers(3);
    const stored = await storedRecords(f);
    for (const field of LOGIN_SECRETS) assert.ok(stored.includes(`leak-${field}-0-x9q`), field);

    const served: Record<string, string> = {};
    for (const path of ["/users", "/last_user", "/export/csv", "/", "/api/pages/users"]) {
      const res = await f.app.request(path);
      assert.equal(res.status, 200, path);
      served[path] = await res.text();
    }
    served["/api/stream/users (live)"] = await live;
    served["/api/stream/users (snapshot)"] = await sseText(
      f,
      "/api/stream/users",
      (t) => /data: .*\n/.test(t),
    );
    for (const [path, body] of Object.entries(served)) {
      assert.ok(body.includes(users[2].login.uuid), `${path} shows the user`);
      assert.doesNotMatch(body, /leak-/, `${path} serves no login secret`);
    }
    const last = JSON.parse(served["/last_user"]);
    assert.deepEqual(Object.keys(last.record.login).sort(), ["username", "uuid"]);
  } finally {
    await f.close();
  }
});

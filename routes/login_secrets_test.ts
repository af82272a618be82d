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
      // Produced together, the three share a time: which one is "last" is the store's tie order.
      assert.ok(users.some((u) => body.includes(u.login.uuid)), `${path} shows a user`);
      assert.doesNotMatch(body, /leak-/, `${path} serves no login secret`);
    }
    const last = JSON.parse(served["/last_user"]);
    assert.deepEqual(Object.keys(last.record.login).sort(), ["username", "uuid"]);
  } finally {
    await f.close();
  }
});

Deno.test("the console serves no login secret of the records in the topics: messages, download, topic page, tail, dead letters, and a filter cannot probe one", async () => {
  const f = await startFixture();
  try {
    const [user, refused] = usersWithSecrets(2);
    refused.dob.age = -5;
    const tail = sseText(f, `/api/console/topics/${USERS.topic}/tail`, (t) => t.includes("leak"));
    await f.produce([user, refused]);
    await f.waitForUsers(1);
    const paths = [
      `/api/console/topics/${USERS.topic}/messages`,
      `/api/console/topics/${USERS.topic}/messages.ndjson`,
      `/console/topics/${USERS.topic}`,
      `/api/console/topics/${USERS.dlqTopic}/messages`,
      `/api/console/dead-letters/users`,
      `/console/dead-letters`,
    ];
    const served: Record<string, string> = {};
    for (const path of paths) {
      const res = await f.app.request(path);
      assert.equal(res.status, 200, path);
      served[path] = await res.text();
    }
    served[`/api/console/topics/${USERS.topic}/tail`] = await Promise.race([
      tail,
      new Promise<string>((resolve) => setTimeout(() => resolve("(no leak in 1 s)"), 1000)),
    ]);
    for (const [path, body] of Object.entries(served)) {
      assert.doesNotMatch(body, /leak-/, `${path} serves no login secret`);
    }
    assert.ok(served[paths[0]].includes(user.login.uuid), "the message itself is shown");
    assert.ok(served[paths[4]].includes(refused.login.uuid), "the dead letter is shown");
    assert.match(served[paths[0]], /"password":"\*{19}"/, "a secret is masked, its size kept");
    const probe = await f.app.request(
      `/api/console/topics/${USERS.topic}/messages?filter=${
        encodeURIComponent("login.password~leak")
      }`,
    );
    assert.deepEqual(await probe.json(), [], "a filter sees the masked value only");
  } finally {
    await f.close();
  }
});

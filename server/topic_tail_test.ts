/**
 * The live tail of a topic over SSE in the whole app (embedded broker): the
 * newest matching messages first, then each new record that matches the
 * partition and filter as it is produced, and nothing that does not; a bad
 * parameter is a 400, an unknown topic a 404, a client past its viewer cap a
 * 429, and a tail that ends gives its slot back.
 */

import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { sseReader } from "../testing/sse_reader.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { until } from "../pipeline/testing/until.ts";
import type { ConsoleMessage } from "./console_messages.ts";

const encoder = new TextEncoder();

Deno.test("a topic's tail streams the newest matching messages, then each new match as it comes", async () => {
  const f = await startFixture();
  const produce = (key: string, value: unknown) =>
    f.pipeline.broker.produce(USERS.topic, [{ key, value: encoder.encode(JSON.stringify(value)) }]);
  try {
    await produce("tail-probe", { n: 1 });
    await produce("other", { n: 2 });
    const res = await f.app.request(`/api/console/topics/${USERS.topic}/tail?filter=n%3E0`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const sse = sseReader(res);
    const snapshot = JSON.parse((await sse.until("snapshot")).data!) as ConsoleMessage[];
    assert.deepEqual(snapshot.map((m) => m.key), ["tail-probe", "other"]);

    await produce("plain", { text: "no n" });
    await produce("later", { n: 3 });
    const message = JSON.parse((await sse.until("message")).data!) as ConsoleMessage;
    assert.equal(message.key, "later", "the record without n is left out");
    assert.deepEqual(message.value, { n: 3 });
    assert.equal(message.valueType, "json");
    assert.equal(typeof message.offset, "number");
    await sse.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("a tail of one partition sends only that partition's records", async () => {
  const f = await startFixture();
  try {
    const res = await f.app.request(`/api/console/topics/${USERS.topic}/tail?partition=1`);
    const sse = sseReader(res);
    assert.deepEqual(JSON.parse((await sse.until("snapshot")).data!), []);
    for (let i = 0; i < 20; i++) {
      await f.pipeline.broker.produce(USERS.topic, [{ key: `k${i}`, value: encoder.encode("{}") }]);
    }
    const partitions = new Set<number>();
    for (let i = 0; i < 3; i++) {
      partitions.add((JSON.parse((await sse.until("message")).data!) as ConsoleMessage).partition);
    }
    assert.deepEqual([...partitions], [1]);
    await sse.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("a tail refuses what it cannot follow and holds a viewer slot only while it runs", async () => {
  const f = await startFixture({ web: { sseViewersPerClient: 1 } });
  const tail = (query: string) => f.app.request(`/api/console/topics/${USERS.topic}/tail${query}`);
  const refused = async (res: Response, status: number, message: RegExp) => {
    assert.equal(res.status, status);
    assert.match((await res.json()).error, message);
  };
  try {
    await refused(await tail("?offset=3&partition=0"), 400, /offset and from do not apply/);
    await refused(await tail("?filter=key"), 400, /^filter: /);
    await refused(await tail("?partition=9"), 400, /partition/);
    await refused(
      await f.app.request("/api/console/topics/nothing-here/tail"),
      404,
      /no topic "nothing-here"/,
    );
    const first = sseReader(await tail(""));
    await first.until("snapshot");
    await refused(await tail(""), 429, /live streams open/);
    await first.cancel();
    await until(async () => {
      const again = await tail("");
      if (again.status !== 200) {
        await again.body?.cancel();
        return false;
      }
      await again.body?.cancel();
      return true;
    });
  } finally {
    await f.close();
  }
});

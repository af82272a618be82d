import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import type { BrokerRecord } from "../pipeline/ports.ts";
import { until } from "../pipeline/testing/until.ts";

const decoder = new TextDecoder();

/** A user's JSON as a careless client might write it: spaced out, an extra 1.10 and 1e2, an escape. */
function oddly(seed: number): string {
  const user = generateUser(seededRandom(seed), Date.now());
  return JSON.stringify(user, null, 1).replace(
    /^\{/,
    '{ "price" : 1.10, "n": 1e2, "e": "\\u00e9",',
  );
}

Deno.test("POST /add_user produces the body's exact bytes: the whole body, or each element of results", async () => {
  const f = await startFixture();
  try {
    const produced: BrokerRecord[] = [];
    const stop = new AbortController();
    const following = Promise.withResolvers<void>();
    const tailing = f.pipeline.broker.tail({
      topics: [USERS.topic],
      signal: stop.signal,
      handle: (batch) => void produced.push(...batch.records),
      onReady: following.resolve,
    });
    await following.promise;

    const single = ` \n${oddly(1)}\n`;
    const elements = [oddly(2), oddly(3)];
    const response = `{"info" : {"seed": "x"},\n "results" : [ ${elements.join(" ,\n ")} ]\n}`;
    for (const body of [single, response]) {
      const res = await f.app.request("/add_user", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      assert.equal(res.status, 202, await res.clone().text());
      await res.body?.cancel();
    }
    await f.waitForUsers(3);
    await until(() => Promise.resolve(produced.length >= 3));
    stop.abort();
    await tailing;
    assert.deepEqual(
      produced.map((r) => decoder.decode(r.value)).sort(),
      [single, ...elements].sort(),
    );
  } finally {
    await f.close();
  }
});

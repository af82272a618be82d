import assert from "node:assert/strict";
import { startFixture } from "../../testing/app_fixture.ts";
import { until } from "../../pipeline/testing/until.ts";

Deno.test("the dead letters page lists a stream's records with reason, source and bytes, filtered by reason", async () => {
  const f = await startFixture();
  try {
    await f.produce([{ gender: "female" }, "{not json"]);
    await until(async () => {
      const response = await f.app.request("/api/console/dead-letters/users");
      return (await response.json()).length === 2;
    });
    const page = await f.app.request("/console/dead-letters?stream=users&reason=invalid&from=");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(html.match(/data-testid="dead-letter"/g)?.length, 2);
    assert.match(html, /\{not json/);
    assert.match(html, /users\[\d+\]@\d+/);
    assert.match(html, /href="\/console\/dead-letters"[^>]*aria-current="page"/);

    const none = await f.app.request("/console/dead-letters?stream=users&reason=late");
    assert.match(await none.text(), /No dead letter matches/);
    assert.equal((await f.app.request("/console/dead-letters?stream=nope")).status, 404);
    assert.equal((await f.app.request("/console/dead-letters?from=soon")).status, 400);
  } finally {
    await f.close();
  }
});

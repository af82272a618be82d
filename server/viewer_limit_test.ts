import assert from "node:assert/strict";
import { ViewerLimit } from "./viewer_limit.ts";
import { HttpError } from "./http_error.ts";

Deno.test("ViewerLimit refuses a viewer past the cap per address with 429, others unaffected", () => {
  const limit = new ViewerLimit(2);
  const first = limit.acquire("10.0.0.1");
  limit.acquire("10.0.0.1");
  assert.throws(() => limit.acquire("10.0.0.1"), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 429);
    assert.match(error.message, /already has 2 live streams open/);
    return true;
  });
  limit.acquire("10.0.0.2");
  assert.equal(limit.count("10.0.0.2"), 1);
  first();
  first();
  assert.equal(limit.count("10.0.0.1"), 1, "a slot is given back once");
  limit.acquire("10.0.0.1");
  assert.equal(limit.count("10.0.0.1"), 2);
});

import assert from "node:assert/strict";
import { storedRecord, userDocument, userForApi } from "./users_stream.ts";
import { validateUser } from "./validate.ts";
import { generateUser } from "./generator.ts";
import { seededRandom } from "../random.ts";
import { withoutLoginSecrets } from "./login_secrets.ts";

const NOW = Date.UTC(2026, 0, 1);
const record = generateUser(seededRandom(3), NOW);
const user = validateUser(JSON.parse(JSON.stringify(record)), NOW);
const expected = JSON.parse(JSON.stringify(withoutLoginSecrets(record)));

Deno.test("a user's record is kept as text by default and as an object when asked, read back the same", () => {
  const text = userDocument(user, NOW);
  const object = userDocument(user, NOW, { recordAs: "object" });
  assert.equal(typeof text.record, "string");
  assert.equal(typeof object.record, "object");
  assert.deepEqual(storedRecord(text), expected);
  assert.deepEqual(storedRecord(object), expected);
  assert.deepEqual(userForApi(object), userForApi(text));
});

Deno.test("a record kept as an object is encoded once in the store's JSON: no escaped copy", () => {
  const once = JSON.stringify(userDocument(user, NOW, { recordAs: "object" }));
  const twice = JSON.stringify(userDocument(user, NOW));
  assert.ok(!once.includes('\\"'), "no escaped quotes");
  assert.ok(once.length < twice.length);
});

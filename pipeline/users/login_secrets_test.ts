import assert from "node:assert/strict";
import { LOGIN_SECRETS, withoutLoginSecrets } from "./login_secrets.ts";
import { generateUser } from "./generator.ts";
import { seededRandom } from "../random.ts";

Deno.test("the login secrets are removed; uuid, username and every other field stay", () => {
  const record = generateUser(seededRandom(3), Date.UTC(2025, 0, 1));
  const clean = withoutLoginSecrets(record);
  assert.deepEqual(clean.login, { uuid: record.login.uuid, username: record.login.username });
  assert.deepEqual({ ...clean, login: record.login }, record);
  for (const field of LOGIN_SECRETS) {
    assert.equal(typeof record.login[field], "string", "the input is left as it was");
  }
});

Deno.test("a record without a login object is returned as it is", () => {
  assert.deepEqual(withoutLoginSecrets({ name: "x" }), { name: "x" });
  assert.deepEqual(withoutLoginSecrets({ login: "text" }), { login: "text" });
  assert.equal(withoutLoginSecrets(null), null);
});

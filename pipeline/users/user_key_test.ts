import assert from "node:assert/strict";
import { userKey } from "./user_key.ts";
import { validateUser } from "./validate.ts";
import { JENNIE } from "../testing/randomuser_example.ts";

Deno.test("a uuid in any case keys the same partition, and the key is the user's id", () => {
  const lower = JENNIE.login.uuid;
  const upper = { ...JENNIE, login: { ...JENNIE.login, uuid: lower.toUpperCase() } };
  assert.equal(userKey(JENNIE), lower);
  assert.equal(userKey(upper), lower);
  assert.equal(userKey(upper), validateUser(upper, Date.UTC(2024, 5, 1)).uuid);
});

Deno.test("a record without a uuid string has no key", () => {
  assert.equal(userKey({ login: { uuid: "" } }), null);
  assert.equal(userKey({ login: { uuid: 7 } }), null);
  assert.equal(userKey({ login: {} }), null);
  assert.equal(userKey(null), null);
});

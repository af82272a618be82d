import assert from "node:assert/strict";
import { maskLoginSecrets } from "./login_secret_mask.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("every login secret of a RandomUser record is masked; the rest and the size stay", () => {
  const record = JSON.stringify({
    results: [{
      name: { first: "Ada" },
      login: {
        uuid: "2f4d3a2b-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        username: "ada",
        password: "pw-1234",
        salt: "s4lt",
        md5: "0cc175b9c0f1b6a831c399e269772661",
        sha1: "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8",
        sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
      },
    }],
  });
  const masked = text(maskLoginSecrets(bytes(record)));
  const login = JSON.parse(masked).results[0].login;
  assert.deepEqual(login, {
    uuid: "2f4d3a2b-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    username: "ada",
    password: "*******",
    salt: "****",
    md5: "*".repeat(32),
    sha1: "*".repeat(40),
    sha256: "*".repeat(64),
  });
  assert.equal(masked.length, record.length);
  assert.equal(JSON.parse(masked).results[0].name.first, "Ada");
});

Deno.test("secrets are masked in broken JSON, invalid UTF-8, escaped keys and numbers too", () => {
  const broken = bytes('{"login":{"password" : "a\\"b\\u00e9c", "salt":"x"');
  assert.equal(text(maskLoginSecrets(broken)), '{"login":{"password" : "***********", "salt":"*"');
  const escaped = bytes('{"pass\\u0077ord":"hunter2","sha1":12345}');
  assert.equal(text(maskLoginSecrets(escaped)), '{"pass\\u0077ord":"*******","sha1":*****}');
  const notUtf8 = new Uint8Array([...bytes('{"md5":"ab'), 0xff, ...bytes('cd"}')]);
  assert.deepEqual(maskLoginSecrets(notUtf8), bytes('{"md5":"*****"}'));
});

Deno.test("a record without secrets is given back as it is, and a long hostile one costs linear time", () => {
  const plain = bytes('{"id":"s1","password_hint":"x","total":"1.10"}');
  assert.equal(maskLoginSecrets(plain), plain, "the same bytes, not a copy");
  const hostile = bytes('"\\u0041":"'.repeat(50_000));
  const started = performance.now();
  maskLoginSecrets(hostile);
  assert.ok(performance.now() - started < 2000);
});

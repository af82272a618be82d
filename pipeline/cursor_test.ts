import assert from "node:assert/strict";
import { decodeCursor, encodeCursor, isUnknownCursorError } from "./cursor.ts";
import { seededRandom } from "./random.ts";

const POSITION = {
  ts: 1_717_243_200_000,
  id: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
};

Deno.test("a cursor decodes to the position it was made from", () => {
  assert.deepEqual(decodeCursor(encodeCursor(POSITION)), POSITION);
});

Deno.test("cursors are URL-safe and round-trip for any uuid and time", () => {
  const random = seededRandom(5);
  for (let i = 0; i < 500; i++) {
    const position = { ts: random.int(0, 2 ** 42), id: random.uuid() };
    const token = encodeCursor(position);
    assert.match(token, /^[A-Za-z0-9_-]+$/, token);
    assert.equal(encodeURIComponent(token), token);
    assert.deepEqual(decodeCursor(token), position);
  }
});

Deno.test("ids with characters that base64 turns into + and / round-trip", () => {
  // "?>" and "~~~" encode to base64 with "/" and "+" in them.
  for (const id of ["?>?>?>", "~~~~~~", "a?b>c~d"]) {
    const token = encodeCursor({ ts: 1, id });
    assert.match(token, /^[A-Za-z0-9_-]+$/, token);
    assert.deepEqual(decodeCursor(token), { ts: 1, id });
  }
});

Deno.test("ids outside Latin-1 round-trip", () => {
  const position = { ts: 5, id: "Ярослав-آرش-😀" };
  assert.deepEqual(decodeCursor(encodeCursor(position)), position);
});

Deno.test("a tampered or foreign token is refused as an unknown cursor", () => {
  const token = encodeCursor(POSITION);
  const tampered = [
    token.slice(0, -6),
    `${token.slice(0, 10)}!!${token.slice(12)}`,
    "garbage",
    "",
    btoa(JSON.stringify({ ts: 1, id: "x" })),
    btoa(JSON.stringify(["1", "x"])),
    btoa(JSON.stringify([1.5, "x"])),
    btoa(JSON.stringify([1, 2])),
    btoa("null"),
  ];
  for (const bad of tampered) {
    assert.throws(() => decodeCursor(bad), (error: unknown) => {
      assert.ok(isUnknownCursorError(error), `${bad}: ${error}`);
      assert.equal(error.code, "unknown-cursor");
      assert.equal(
        error.message,
        `cursor "${bad.slice(0, 40)}" is not one this server gave out`,
      );
      return true;
    }, bad);
  }
});

Deno.test("the error message shows at most 40 characters of a long token", () => {
  const long = "x".repeat(500);
  assert.throws(() => decodeCursor(long), {
    name: "UnknownCursorError",
    message: `cursor "${"x".repeat(40)}" is not one this server gave out`,
  });
});

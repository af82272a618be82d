import assert from "node:assert/strict";
import { avatarColor, hueOf, initialsOf } from "./avatar.ts";

Deno.test("initials are the first letters of the first and last names, upper-cased, in any script", () => {
  assert.equal(initialsOf("Ada Lovelace"), "AL");
  assert.equal(initialsOf("jean de la fontaine"), "JF");
  assert.equal(initialsOf("Ömer Çelik"), "ÖÇ");
  assert.equal(initialsOf("Zoë"), "Z");
  assert.equal(initialsOf("  Лев   Толстой "), "ЛТ");
  assert.equal(
    initialsOf("O\u0308sten Ackerman"),
    "O\u0308A",
    "a combining mark stays with its letter",
  );
  assert.equal(initialsOf(""), "?");
  assert.equal(initialsOf("-- !!"), "?");
});

Deno.test("a user's colour depends on the id alone and differs between ids", () => {
  assert.equal(hueOf("u-1"), hueOf("u-1"));
  const hues = new Set(Array.from({ length: 50 }, (_, i) => hueOf(`user-${i}`)));
  assert.ok(hues.size > 30, `only ${hues.size} hues for 50 ids`);
  for (const hue of hues) assert.ok(hue >= 0 && hue < 360);
});

Deno.test("the avatar's colour is the user's hue at a lightness white initials read on", () => {
  assert.equal(avatarColor("u-1"), `hsl(${hueOf("u-1")} 55% 42%)`);
  assert.notEqual(avatarColor("user-1"), avatarColor("user-2"));
});

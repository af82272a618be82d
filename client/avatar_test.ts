import assert from "node:assert/strict";
import { avatarSvg, avatarUrl, hueOf, initialsOf } from "./avatar.ts";

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

Deno.test("the avatar is an SVG with the initials, where a hostile name stays text", () => {
  const svg = avatarSvg("u-1", "Ada Lovelace");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, />AL<\/text>/);
  assert.match(svg, new RegExp(`hsl\\(${hueOf("u-1")} `));
  assert.match(avatarSvg("u-2", "<script> &amp"), />SA<\/text>/);
  assert.match(avatarSvg("u-2", "<\"'&> <>"), />\?<\/text>/);
  assert.doesNotMatch(avatarSvg("u-2", "<b>x</b> <i>"), /<b>|<i>/);
});

Deno.test("the avatar URL is a data: URL, so showing it makes no request", () => {
  const url = avatarUrl("u-1", "Ada Lovelace");
  assert.ok(url.startsWith("data:image/svg+xml,"));
  assert.equal(
    decodeURIComponent(url.slice("data:image/svg+xml,".length)),
    avatarSvg("u-1", "Ada Lovelace"),
  );
});

import assert from "node:assert/strict";
import { jsonShapeProblem, MAX_JSON_DEPTH, MAX_JSON_VALUES } from "./json_shape.ts";
import { decodeJson } from "./validation.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("JSON nested deeper than the bound is refused before it is parsed", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
  assert.equal(jsonShapeProblem(bytes(deep(MAX_JSON_DEPTH))), undefined);
  assert.match(jsonShapeProblem(bytes(deep(MAX_JSON_DEPTH + 1)))!, /more than 64 levels deep/);
  assert.throws(() => decodeJson(bytes(deep(500_000))), /more than 64 levels deep/);
});

Deno.test("JSON holding more values than the bound is refused before it is parsed", () => {
  const items = (n: number) => `[${Array(n).fill("1").join(",")}]`;
  assert.equal(jsonShapeProblem(bytes(items(MAX_JSON_VALUES))), undefined);
  assert.match(jsonShapeProblem(bytes(items(MAX_JSON_VALUES + 2)))!, /more than 10000 values/);
  const keys = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":1`).join(",")}}`;
  assert.throws(() => decodeJson(bytes(keys)), /more than 10000 values/);
});

Deno.test("brackets and commas inside strings do not count, escaped quotes included", () => {
  const text = JSON.stringify({ s: "[".repeat(1000) + ",".repeat(20_000) + '\\"[[' });
  assert.equal(jsonShapeProblem(bytes(text)), undefined);
  assert.deepEqual(Object.keys(decodeJson(bytes(text)) as object), ["s"]);
});

Deno.test("a small record with many brackets inside its strings is scanned, not refused", () => {
  const text = JSON.stringify({ s: "{".repeat(MAX_JSON_DEPTH * 2), t: "[[[" });
  assert.ok(bytes(text).length < MAX_JSON_VALUES);
  assert.equal(jsonShapeProblem(bytes(text)), undefined);
  assert.equal(jsonShapeProblem(bytes(text), text), undefined);
  const deep = "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1);
  assert.match(jsonShapeProblem(bytes(deep), deep)!, /more than 64 levels deep/);
});

import assert from "node:assert/strict";
import { mergeNewest, newestAcross } from "./newest_documents.ts";
import type { StoredDocument } from "./ports.ts";

const doc = (id: string, ts: number, n = 0): StoredDocument => ({ id, ts, doc: { n } });

Deno.test("the newest documents are kept newest first, ties by the larger id, up to the limit", () => {
  const kept = [doc("c", 5), doc("a", 3)];
  const merged = mergeNewest(kept, [doc("b", 5), doc("d", 1), doc("e", 9)], 3);
  assert.deepEqual(merged.map((d) => d.id), ["e", "c", "b"]);
});

Deno.test("merging a batch again (a replay) changes nothing; a re-stored id keeps its last document", () => {
  const batch = [doc("a", 1), doc("b", 2)];
  const once = mergeNewest([], batch, 10);
  assert.deepEqual(mergeNewest(once, batch, 10), once);
  const replaced = mergeNewest(once, [doc("a", 1, 7)], 10);
  assert.deepEqual(replaced.map((d) => [d.id, d.doc.n]), [["b", 0], ["a", 7]]);
});

Deno.test("the newest of a stream are read from every partition's own newest", () => {
  const p0 = [doc("x", 10), doc("y", 4)];
  const p1 = [doc("z", 7), doc("w", 6)];
  assert.deepEqual(newestAcross([p0, p1], 3).map((d) => d.id), ["x", "z", "w"]);
  assert.deepEqual(newestAcross([], 3), []);
});

import assert from "node:assert/strict";
import { entryDocument, mergeNewest, newestChange, newestEntry } from "./newest_documents.ts";
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

Deno.test("a batch's change to the kept newest names only what entered and what left", () => {
  const kept = [doc("c", 5), doc("b", 4), doc("a", 3)];
  const change = newestChange(kept, [doc("d", 6), doc("e", 1)], 3);
  assert.deepEqual(change.newest.map((d) => d.id), ["d", "c", "b"]);
  assert.deepEqual(change.entered.map((d) => d.id), ["d"], "e is older than every kept one");
  assert.deepEqual(change.left, ["a"]);
  const again = newestChange(change.newest, [doc("d", 6), doc("e", 1)], 3);
  assert.deepEqual(again.newest, change.newest, "the same batch again changes nothing");
  assert.deepEqual(again.left, []);
});

Deno.test("a kept newest entry holds its document, time and id, and the partition that keeps it", () => {
  const entry = newestEntry(2, { id: "u-1", ts: 42, doc: { name: "Ярослав", n: 1 } });
  assert.equal(entry.id, "u-1");
  assert.equal(entry.ts, 42);
  assert.equal(entry.doc.partition, 2);
  assert.deepEqual(entryDocument(entry), { id: "u-1", ts: 42, doc: { name: "Ярослав", n: 1 } });
});

/**
 * The contracts of `RawStore` and `AggregateStore`, run against the SQLite
 * stores in unit tests and against MongoDB and Cassandra in integration tests.
 */

import assert from "node:assert/strict";
import type {
  AggregateRow,
  AggregateStore,
  DocumentQuery,
  RawStore,
  StoredDocument,
} from "../ports.ts";
import { isUnknownCursorError } from "../cursor.ts";

const unique = () => `contract_${crypto.randomUUID().slice(0, 8)}`;

/** Registers the raw store contract tests under `name`. */
export function runRawStoreContract(name: string, make: () => Promise<RawStore>): void {
  const docs = (n: number): StoredDocument[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `id-${String(i).padStart(4, "0")}`,
      ts: 1_700_000_000_000 + Math.floor(i / 3) * 1000,
      doc: { n: i, name: `Ярослав <b>${i}</b>`, nested: { ok: true } },
    }));

  Deno.test(`${name}: upserting the same documents twice stores each once`, async () => {
    const store = await make();
    try {
      const c = unique();
      await store.upsert(c, docs(10));
      await store.upsert(c, docs(10));
      assert.equal(await store.count(c), 10);
      await store.upsert(c, [{ id: "id-0003", ts: 1, doc: { n: 99 } }]);
      assert.equal(await store.count(c), 10);
      const page = await store.list(c, { limit: 100 });
      assert.deepEqual(page.items.find((d) => d.id === "id-0003")?.doc, { n: 99 });
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: a batch holding an id twice keeps its later document`, async () => {
    const store = await make();
    try {
      const c = unique();
      // More documents than one statement carries, the repeats on either side of the boundaries.
      const batch = docs(130);
      batch[70] = { id: "id-0003", ts: 1_800_000_000_000, doc: { n: 3, again: true } };
      batch[129] = { id: "id-0100", ts: 1_800_000_000_001, doc: { n: 100, again: true } };
      await store.upsert(c, batch);
      assert.equal(await store.count(c), 128);
      assert.deepEqual((await store.get(c, "id-0003"))?.doc, { n: 3, again: true });
      assert.deepEqual((await store.get(c, "id-0100"))?.doc, { n: 100, again: true });
      assert.equal((await store.get(c, "id-0100"))?.ts, 1_800_000_000_001);
      assert.deepEqual((await store.get(c, "id-0071"))?.doc.n, 71);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: removing documents by id leaves the others, and unknown ids are passed over`, async () => {
    const store = await make();
    try {
      const c = unique();
      await store.upsert(c, docs(6));
      await store.remove(c, ["id-0001", "id-0004", "no-such-id"]);
      await store.remove(c, []);
      assert.deepEqual(
        (await store.list(c, { limit: 10 })).items.map((d) => d.id),
        ["id-0005", "id-0003", "id-0002", "id-0000"],
      );
      assert.equal(await store.get(c, "id-0004"), undefined);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: pages are newest first and the cursor walks every document once`, async () => {
    const store = await make();
    try {
      const c = unique();
      await store.upsert(c, docs(25));
      const seen: StoredDocument[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(c, { limit: 7, cursor });
        assert.ok(page.items.length <= 7);
        seen.push(...page.items);
        cursor = page.next ?? undefined;
      } while (cursor);
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen.map((d) => d.id)).size, 25);
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1], b = seen[i];
        assert.ok(a.ts > b.ts || (a.ts === b.ts && a.id > b.id), "newest first");
      }
      assert.deepEqual(seen[0].doc, docs(25)[24].doc);
      assert.equal((await store.latest(c))?.id, seen[0].id);
      const all: string[] = [];
      for await (const d of store.all(c)) all.push(d.id);
      assert.deepEqual(all.sort(), seen.map((d) => d.id).sort(), "every document once");
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: an empty collection has no latest and no pages`, async () => {
    const store = await make();
    try {
      const c = unique();
      assert.equal(await store.latest(c), undefined);
      assert.deepEqual(await store.list(c, { limit: 5 }), { items: [], next: null });
      assert.equal(await store.count(c), 0);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: one document by id, and a time range oldest first`, async () => {
    const store = await make();
    try {
      const c = unique();
      await store.upsert(c, docs(12));
      assert.deepEqual(await store.get(c, "id-0004"), docs(12)[4]);
      assert.equal(await store.get(c, "missing"), undefined);
      // docs i have ts = base + floor(i / 3) s: [base + 1 s, base + 3 s) holds ids 3..8
      const base = 1_700_000_000_000;
      const range = await store.between(c, base + 1000, base + 3000);
      assert.deepEqual(range.map((d) => d.id), [3, 4, 5, 6, 7, 8].map((i) => `id-000${i}`));
      assert.deepEqual(await store.between(c, base + 9000, base + 10_000), []);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: find and count match a time range and every field condition, newest first`, async () => {
    const store = await make();
    try {
      const c = unique();
      const people = Array.from({ length: 1200 }, (_, i): StoredDocument => ({
        id: `p-${String(i).padStart(5, "0")}`,
        ts: 1_000_000 + i * 10,
        doc: {
          gender: i % 3 === 0 ? "female" : "male",
          country: i % 5 === 0 ? "Norway" : "Brazil",
          age: 18 + (i % 60),
          fullName: i % 7 === 0 ? `Ana O'Hara ${i}` : `Ярослав (x) ${i}`,
        },
      }));
      await store.upsert(c, people);
      const expect = (keep: (d: StoredDocument) => boolean) =>
        people.filter(keep).sort((a, b) => b.ts - a.ts).map((d) => d.id);
      const found = async (query: DocumentQuery) => {
        const ids: string[] = [];
        for await (const d of store.find(c, query)) ids.push(d.id);
        assert.equal(await store.count(c, query), ids.length, "count agrees with find");
        return ids;
      };
      const query: DocumentQuery = {
        from: 1_000_000 + 100 * 10,
        to: 1_000_000 + 1100 * 10,
        where: [
          { field: "gender", oneOf: ["female"] },
          { field: "country", oneOf: ["Norway", "Chile"] },
          { field: "age", min: 20, max: 40 },
        ],
      };
      const strict = await found(query);
      assert.ok(strict.length > 10);
      assert.deepEqual(
        strict,
        expect((d) =>
          d.ts >= 1_001_000 && d.ts < 1_011_000 && d.doc.gender === "female" &&
          d.doc.country === "Norway" && Number(d.doc.age) >= 20 && Number(d.doc.age) <= 40
        ),
      );
      assert.deepEqual(
        await found({ where: [{ field: "fullName", contains: "o'HARA" }] }),
        expect((d) => String(d.doc.fullName).includes("O'Hara")),
        "text is found without regard to ASCII case, quotes kept literal",
      );
      assert.deepEqual(
        await found({ where: [{ field: "fullName", contains: "(x) 1" }] }),
        expect((d) => String(d.doc.fullName).includes("(x) 1")),
        "characters special to patterns match themselves",
      );
      assert.deepEqual(await found({ where: [{ field: "country", oneOf: [] }] }), []);
      assert.deepEqual(await found({ where: [{ field: "missing", oneOf: ["x"] }] }), []);
      assert.equal((await found({})).length, 1200, "an empty query matches everything");
      await assert.rejects(
        found({ where: [{ field: "doc.$where", oneOf: ["x"] }] }),
        /may not name the field/,
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: a cursor this server never gave out is refused`, async () => {
    const store = await make();
    try {
      await assert.rejects(
        store.list(unique(), { limit: 5, cursor: "not-a-cursor" }),
        isUnknownCursorError,
      );
    } finally {
      await store.close();
    }
  });
}

/** Registers the aggregate store contract tests under `name`. */
export function runAggregateStoreContract(name: string, make: () => Promise<AggregateStore>): void {
  const row = (stream: string, over: Partial<AggregateRow>): AggregateRow => ({
    stream,
    dimension: "gender",
    windowStart: 60_000,
    key: "male",
    partition: 0,
    value: 1n,
    offset: 0,
    ...over,
  });

  Deno.test(`${name}: writes are absolute, so writing a row again replaces it`, async () => {
    const store = await make();
    try {
      const s = unique();
      await store.write([row(s, { value: 3n, offset: 7 })]);
      await store.write([row(s, { value: 3n, offset: 7 })]);
      await store.write([row(s, { value: 5n, offset: 9 })]);
      assert.deepEqual(
        await store.read({ stream: s, dimension: "gender", partition: 0, windowStarts: [60_000] }),
        [
          row(s, { value: 5n, offset: 9 }),
        ],
      );
      assert.deepEqual(
        await store.read({ stream: s, dimension: "gender", partition: 1, windowStarts: [60_000] }),
        [],
      );
      assert.deepEqual(
        await store.read({ stream: s, dimension: "gender", partition: 0, windowStarts: [120_000] }),
        [],
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: pruning removes the windows before a time, of one dimension only`, async () => {
    const store = await make();
    try {
      const stream = unique();
      const row = (dimension: string, windowStart: number) => ({
        stream,
        dimension,
        windowStart,
        key: "all",
        partition: 0,
        value: 1n,
        offset: 0,
      });
      await store.write([
        row("events", 1000),
        row("events", 2000),
        row("events", 3000),
        row("count", 1000),
      ]);
      await store.prune(stream, "events", 3000);
      assert.deepEqual(await store.series({ stream, dimension: "events", from: 0, to: 10_000 }), [
        { windowStart: 3000, key: "all", value: 1n },
      ]);
      assert.deepEqual(await store.totals(stream, "count"), [{ key: "all", value: 1n }]);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: totals and series sum over partitions and windows`, async () => {
    const store = await make();
    try {
      const s = unique();
      await store.write([
        row(s, { partition: 0, value: 2n }),
        row(s, { partition: 1, value: 3n }),
        row(s, { windowStart: 120_000, value: 4n }),
        row(s, { key: "female", value: 6n }),
        row(s, { dimension: "country", key: "France", value: 1n }),
      ]);
      assert.deepEqual(await store.totals(s, "gender"), [
        { key: "female", value: 6n },
        { key: "male", value: 9n },
      ]);
      assert.deepEqual(
        await store.series({ stream: s, dimension: "gender", from: 0, to: 120_000 }),
        [
          { windowStart: 60_000, key: "female", value: 6n },
          { windowStart: 60_000, key: "male", value: 5n },
        ],
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: values past 2^53 and 2^64 are kept and read back exactly`, async () => {
    const store = await make();
    try {
      const s = unique();
      const past53 = 2n ** 53n + 1n;
      const past64 = 2n ** 64n + 3n;
      const huge = 10n ** 40n + 7n;
      await store.write([
        row(s, { key: "a", value: past53, offset: 2 ** 40 }),
        row(s, { key: "b", value: past64 }),
        row(s, { key: "c", value: huge }),
      ]);
      assert.deepEqual(
        (await store.read({ stream: s, dimension: "gender", partition: 0, windowStarts: [60_000] }))
          .map((r) => [r.key, r.value, r.offset]),
        [["a", past53, 2 ** 40], ["b", past64, 0], ["c", huge, 0]],
      );
      assert.deepEqual(await store.totals(s, "gender"), [
        { key: "a", value: past53 },
        { key: "b", value: past64 },
        { key: "c", value: huge },
      ]);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: sums over partitions and windows past 2^53 and 2^64 are exact`, async () => {
    const store = await make();
    try {
      const s = unique();
      // Each cell is below 2^53; their sum is not, and a float sum would round it.
      const cell = 2n ** 52n + 1n;
      const big = 2n ** 63n - 1n;
      await store.write([
        row(s, { partition: 0, value: cell }),
        row(s, { partition: 1, value: cell }),
        row(s, { partition: 2, value: cell }),
        row(s, { windowStart: 120_000, partition: 3, value: cell }),
        row(s, { key: "wide", partition: 0, value: big }),
        row(s, { key: "wide", partition: 1, value: big }),
        row(s, { key: "wide", partition: 2, value: 5n }),
      ]);
      assert.deepEqual(await store.totals(s, "gender"), [
        { key: "male", value: 4n * cell },
        { key: "wide", value: 2n * big + 5n },
      ]);
      assert.deepEqual(
        await store.series({ stream: s, dimension: "gender", from: 0, to: 180_000 }),
        [
          { windowStart: 60_000, key: "male", value: 3n * cell },
          { windowStart: 60_000, key: "wide", value: 2n * big + 5n },
          { windowStart: 120_000, key: "male", value: cell },
        ],
      );
    } finally {
      await store.close();
    }
  });
}

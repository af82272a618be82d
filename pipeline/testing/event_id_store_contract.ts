/**
 * The contract of `EventIdStore`, run against the SQLite store in unit tests
 * and against MongoDB (FerretDB) in integration tests. `make` opens a new
 * connection to one shared store each time it is called.
 */

import assert from "node:assert/strict";
import type { EventClaim, EventIdStore, SourcePosition } from "../ports.ts";

const unique = () => `contract_${crypto.randomUUID().slice(0, 8)}`;
const AT = 1_700_000_000_000;

/** Claims of `ids` by consecutive records of one partition, the first at `first`. */
function claims(ids: string[], first: SourcePosition, at = AT): EventClaim[] {
  return ids.map((id, i) => ({ id, partition: first.partition, offset: first.offset + i, at }));
}

function owners(map: Map<string, SourcePosition>): Record<string, string> {
  return Object.fromEntries([...map].map(([id, p]) => [id, `${p.partition}@${p.offset}`]));
}

/** Registers the event id store contract tests under `name`. */
export function runEventIdStoreContract(name: string, make: () => Promise<EventIdStore>): void {
  Deno.test(`${name}: a free id is owned by its claim, a taken one by its first claim`, async () => {
    const store = await make();
    try {
      const stream = unique();
      assert.deepEqual(
        owners(await store.claim(stream, claims(["a", "b"], { partition: 0, offset: 10 }))),
        {
          a: "0@10",
          b: "0@11",
        },
      );
      assert.deepEqual(
        owners(await store.claim(stream, claims(["b", "c", "a"], { partition: 3, offset: 7 }))),
        {
          b: "0@11",
          c: "3@8",
          a: "0@10",
        },
      );
      assert.deepEqual(owners(await store.claim(stream, [])), {});
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: a whole batch claimed again finds every owner, its own and others'`, async () => {
    const store = await make();
    try {
      const stream = unique();
      const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
      await store.claim(stream, claims(ids.slice(0, 200), { partition: 0, offset: 0 }));
      const again = await store.claim(stream, claims(ids, { partition: 0, offset: 0 }));
      assert.equal(again.size, 300);
      assert.equal(owners(again)["id-150"], "0@150", "a redelivery owns its ids");
      const other = await store.claim(stream, claims(ids, { partition: 1, offset: 1000 }));
      assert.equal(owners(other)["id-10"], "0@10", "taken by the first claim");
      assert.equal(owners(other)["id-250"], "0@250");
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: an id claimed twice in one batch is owned by its first claim`, async () => {
    const store = await make();
    try {
      const stream = unique();
      // More claims than one statement carries, the repeats on either side of the boundaries.
      const ids = Array.from({ length: 130 }, (_, i) => `id-${i}`);
      ids[60] = "id-5";
      ids[129] = "id-120";
      const owned = owners(await store.claim(stream, claims(ids, { partition: 2, offset: 0 })));
      assert.equal(Object.keys(owned).length, 128);
      assert.equal(owned["id-5"], "2@5");
      assert.equal(owned["id-120"], "2@120");
      assert.equal(owned["id-61"], "2@61");
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: a released id is free again, but only its owner can release it`, async () => {
    const store = await make();
    try {
      const stream = unique();
      await store.claim(stream, claims(["r", "s"], { partition: 1, offset: 5 }));
      await store.release(stream, [
        { id: "r", partition: 1, offset: 5 },
        { id: "s", partition: 1, offset: 99 },
        { id: "never-claimed", partition: 0, offset: 0 },
      ]);
      await store.release(stream, []);
      assert.deepEqual(
        owners(await store.claim(stream, claims(["r", "s"], { partition: 2, offset: 20 }))),
        {
          r: "2@20",
          s: "1@6",
        },
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: the claiming position claiming again (a redelivery) still owns its ids`, async () => {
    const store = await make();
    try {
      const stream = unique();
      await store.claim(stream, claims(["x", "y"], { partition: 2, offset: 40 }));
      assert.deepEqual(
        owners(await store.claim(stream, claims(["x", "y"], { partition: 2, offset: 40 }, AT + 5))),
        {
          x: "2@40",
          y: "2@41",
        },
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: ids are exact strings, separate per stream`, async () => {
    const store = await make();
    try {
      const [s1, s2] = [unique(), unique()];
      const ids = ["Aa", "aa", "a/b", "ü €", 'q"uote', "$where", "x.y"];
      assert.deepEqual(
        owners(await store.claim(s1, claims(ids, { partition: 1, offset: 0 }))),
        Object.fromEntries(ids.map((id, i) => [id, `1@${i}`])),
      );
      assert.deepEqual(
        owners(await store.claim(s2, claims(["aa"], { partition: 0, offset: 99 }))),
        { aa: "0@99" },
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: processors claiming the same ids at once agree on one owner each`, async () => {
    const stores = await Promise.all([make(), make(), make()]);
    try {
      const stream = unique();
      const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
      // Each processor claims the ids from its own partition, in its own order.
      const results = await Promise.all(stores.map((store, p) => {
        const order = p === 1 ? [...ids].reverse() : ids;
        return store.claim(stream, claims(order, { partition: p, offset: 1000 * p }));
      }));
      for (const id of ids) {
        const seen = results.map((r) => JSON.stringify(r.get(id)));
        assert.equal(new Set(seen).size, 1, `${id}: ${seen.join(" ")}`);
      }
      const again = await stores[0].claim(stream, claims(ids, { partition: 9, offset: 0 }));
      assert.deepEqual(owners(again), owners(results[2]));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  Deno.test(`${name}: claims are kept after the store is closed and opened again`, async () => {
    const stream = unique();
    const first = await make();
    await first.claim(stream, claims(["kept"], { partition: 1, offset: 5 }));
    await first.close();
    const second = await make();
    try {
      assert.deepEqual(
        owners(await second.claim(stream, claims(["kept"], { partition: 2, offset: 6 }))),
        {
          kept: "1@5",
        },
      );
    } finally {
      await second.close();
    }
  });

  Deno.test(`${name}: expiry forgets the ids claimed before the time given, in that stream only`, async () => {
    const store = await make();
    try {
      const [stream, other] = [unique(), unique()];
      await store.claim(stream, claims(["old"], { partition: 0, offset: 1 }, AT));
      await store.claim(stream, claims(["new"], { partition: 0, offset: 2 }, AT + 1000));
      await store.claim(other, claims(["old"], { partition: 0, offset: 1 }, AT));
      await store.expire(stream, AT + 1000);
      assert.deepEqual(
        owners(
          await store.claim(
            stream,
            claims(["old", "new"], { partition: 3, offset: 50 }, AT + 2000),
          ),
        ),
        {
          old: "3@50",
          new: "0@2",
        },
      );
      assert.deepEqual(
        owners(await store.claim(other, claims(["old"], { partition: 3, offset: 50 }))),
        { old: "0@1" },
      );
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: a processor's whole batch of ids is claimed in one call`, async () => {
    const store = await make();
    try {
      const stream = unique();
      const ids = Array.from({ length: 2000 }, () => crypto.randomUUID());
      const firstHalf = await store.claim(
        stream,
        claims(ids.slice(0, 1000), { partition: 0, offset: 0 }),
      );
      assert.equal(firstHalf.size, 1000);
      const all = await store.claim(stream, claims(ids, { partition: 1, offset: 0 }));
      assert.equal(all.size, 2000);
      assert.equal([...all.values()].filter((p) => p.partition === 0).length, 1000);
      assert.deepEqual(all.get(ids[1999]), { partition: 1, offset: 1999 });
      assert.deepEqual(all.get(ids[999]), { partition: 0, offset: 999 });
    } finally {
      await store.close();
    }
  });
}

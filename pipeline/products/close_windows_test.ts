import assert from "node:assert/strict";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { closeProductWindows, csvDir, PRODUCTS } from "./products_stream.ts";
import { windowFileName } from "./window_csv.ts";

const START = Date.UTC(2025, 1, 16, 7, 28, 0);
const END = START + 120_000;

Deno.test("a fired window's summary holds the sums of the rows in its file, even when its state was lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-close-" });
  const raw = new SqliteRawStore(`${dir}/store.db`);
  try {
    const row = (offset: number, price: string, total: string) => ({
      id: `0-${String(offset).padStart(15, "0")}`,
      ts: START + offset * 1000,
      doc: {
        id: String(offset),
        product: "TV",
        description: "",
        price,
        kdv: "0.18",
        total,
        partition: 0,
        offset,
      },
    });
    await raw.upsert(PRODUCTS.collection, [row(1, "100.00", "118.00"), row(2, "19.99", "23.59")]);
    // A re-fire after an upgrade: the checkpoint of the earlier version kept no fired windows,
    // so the window's state holds only the record that came late.
    await closeProductWindows({
      raw,
      dataDir: dir,
      partition: 0,
      closed: [{
        start: START,
        end: END,
        final: true,
        value: { records: 1, sumPrice: "19.99", sumTotal: "23.59" },
      }],
    });
    const summary = await raw.get(PRODUCTS.windowsCollection, `${START}-0`);
    assert.deepEqual(
      [summary?.doc.records, summary?.doc.sumPrice, summary?.doc.sumTotal],
      [2, "119.99", "141.59"],
    );
    const csv = await Deno.readTextFile(`${csvDir(dir)}/${windowFileName(START, END, 0)}`);
    assert.equal(csv.trim().split("\r\n").length, 3, "header and both rows");
  } finally {
    await raw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Exporting many stored users streams: the server's memory grows by less
 * than 100 MB whatever the format. 100,000 users by default; set
 * `STREAMBOARD_EXPORT_USERS=1000000` for the million the issue asks about
 * (slower: the store is filled first).
 *
 * In e2e/, which runs one file at a time: memory is the process's RSS, which
 * tests running beside it in the same process (deno test --parallel) would swell.
 */

import assert from "node:assert/strict";
import { startFixture } from "../testing/app_fixture.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import type { StoredDocument } from "../pipeline/ports.ts";
import { JENNIE } from "../pipeline/testing/randomuser_example.ts";
import { withoutLoginSecrets } from "../pipeline/users/login_secrets.ts";
import { readParquetBytes } from "../pipeline/testing/parquet_reader.ts";

const USERS_STORED = Number(Deno.env.get("STREAMBOARD_EXPORT_USERS") ?? 100_000);
const MAX_GROWTH = 100 * 1024 * 1024;
const RECORD = JSON.stringify(withoutLoginSecrets(JENNIE));

/** Stored users as the processor writes them (summary fields and the record as text), `n` at `start`. */
function batch(start: number, n: number): StoredDocument[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return {
      id: `user-${String(i).padStart(8, "0")}`,
      ts: 1_700_000_000_000 + i,
      doc: {
        fullName: `Jennie Nichols ${i}`,
        gender: i % 2 ? "female" : "male",
        age: 18 + (i % 60),
        country: "United States",
        city: "Billings",
        email: `jennie${i}@example.com`,
        picture: "https://randomuser.me/api/portraits/women/75.jpg",
        ageBand: "30-39",
        nat: "US",
        record: RECORD,
      },
    };
  });
}

/** Newline-terminated lines in a byte chunk. */
function lines(chunk: Uint8Array): number {
  let n = 0;
  for (const byte of chunk) if (byte === 10) n++;
  return n;
}

Deno.test(`exporting ${USERS_STORED} stored users grows the server's memory by under 100 MB in every format`, async () => {
  const f = await startFixture();
  const dir = await Deno.makeTempDir({ prefix: "streamboard-export-" });
  try {
    const filled = performance.now();
    for (let i = 0; i < USERS_STORED; i += 10_000) {
      await f.pipeline.raw.upsert(USERS.collection, batch(i, Math.min(10_000, USERS_STORED - i)));
    }
    console.log(`filled ${USERS_STORED} users in ${Math.round(performance.now() - filled)} ms`);
    for (const format of ["csv", "ndjson", "parquet"] as const) {
      const started = performance.now();
      const before = Deno.memoryUsage().rss;
      let peak = before;
      let bytes = 0;
      let newlines = 0;
      const res = await f.app.request(`/api/export/users/users?format=${format}`);
      assert.equal(res.status, 200);
      const file = await Deno.open(`${dir}/users.${format}`, { write: true, create: true });
      for await (const chunk of res.body!) {
        bytes += chunk.length;
        if (format !== "parquet") newlines += lines(chunk);
        else await file.write(chunk);
        peak = Math.max(peak, Deno.memoryUsage().rss);
      }
      file.close();
      const growth = peak - before;
      console.log(
        `${format}: ${(bytes / 1e6).toFixed(1)} MB in ${
          Math.round(performance.now() - started)
        } ms, memory growth ${(growth / 1e6).toFixed(1)} MB`,
      );
      assert.ok(growth < MAX_GROWTH, `${format}: memory grew by ${(growth / 1e6).toFixed(1)} MB`);
      if (format === "parquet") {
        const read = readParquetBytes(await Deno.readFile(`${dir}/users.parquet`));
        assert.equal(read.rows.length, USERS_STORED);
      } else {
        // CSV: a header line, then one line per user (no field holds a line break here).
        assert.equal(newlines, USERS_STORED + (format === "csv" ? 1 : 0), format);
      }
    }
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});

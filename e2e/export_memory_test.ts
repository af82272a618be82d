/**
 * Exporting many stored users streams: the server's memory grows by less
 * than 100 MB whatever the format. The store is filled first (users stored
 * as the processor stores them), then a real StreamBoard process is started
 * on it with its producer off; once its memory has settled and a small
 * export of each format has run, each format is downloaded whole over HTTP
 * while the test reads the server's resident memory from
 * `/proc/<pid>/status`: the growth is its high-water mark during the
 * download (reset before each one) less its resident size just before.
 * Measured from outside, so neither the fill's garbage nor the test's own
 * reading counts. 100,000 users by default (about a minute in all);
 * `STREAMBOARD_EXPORT_USERS=1000000` for the million the issue asks about.
 */

import assert from "node:assert/strict";
import { startApp } from "./app_process.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import type { StoredDocument } from "../pipeline/ports.ts";
import { JENNIE } from "../pipeline/testing/randomuser_example.ts";
import { withoutLoginSecrets } from "../pipeline/users/login_secrets.ts";
import { readParquetBytes } from "../pipeline/testing/parquet_reader.ts";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";

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

/** A size in bytes from `/proc/<pid>/status` (`VmRSS`, `VmHWM`), given there in kB. */
async function procBytes(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  assert.ok(kb, `no ${field} in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

/** The warm-up exports' view ends here: the oldest 2,000 users. */
const WARM_UP_TO = 1_700_000_002_000;

/** Waits until the server's resident size moves by less than 2 MB in a second (its workers have started). */
async function settled(pid: number): Promise<void> {
  let last = 0;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await procBytes(pid, "VmRSS");
    if (Math.abs(now - last) < 2 * 1024 * 1024) return;
    last = now;
  }
}

Deno.test({
  name:
    `exporting ${USERS_STORED} stored users grows the server's memory by under 100 MB in every format`,
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "streamboard-export-" });
    const store = new SqliteRawStore(`${dir}/store.db`);
    const filled = performance.now();
    for (let i = 0; i < USERS_STORED; i += 10_000) {
      await store.upsert(USERS.collection, batch(i, Math.min(10_000, USERS_STORED - i)));
    }
    await store.close();
    console.log(`filled ${USERS_STORED} users in ${Math.round(performance.now() - filled)} ms`);
    const app = await startApp({ STREAMBOARD_PRODUCE: "false" }, dir);
    const pid = app.process.pid;
    try {
      await settled(pid);
      // A first small export of each format: the code it runs is compiled before measuring.
      for (const format of ["csv", "ndjson", "parquet"]) {
        const res = await fetch(
          new URL(`/api/export/users/users?format=${format}&to=${WARM_UP_TO}`, app.url),
        );
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      for (const format of ["csv", "ndjson", "parquet"] as const) {
        const started = performance.now();
        await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5"); // resets VmHWM to the current RSS
        const before = await procBytes(pid, "VmRSS");
        let bytes = 0;
        let newlines = 0;
        const res = await fetch(new URL(`/api/export/users/users?format=${format}`, app.url));
        assert.equal(res.status, 200);
        const file = await Deno.open(`${dir}/users.${format}`, { write: true, create: true });
        for await (const chunk of res.body!) {
          bytes += chunk.length;
          if (format !== "parquet") newlines += lines(chunk);
          else await file.write(chunk);
        }
        file.close();
        const growth = await procBytes(pid, "VmHWM") - before;
        console.log(
          `${format}: ${(bytes / 1e6).toFixed(1)} MB in ${
            Math.round(performance.now() - started)
          } ms, server memory ${(before / 1e6).toFixed(0)} MB before, growth ${
            (growth / 1e6).toFixed(1)
          } MB`,
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
    } catch (error) {
      console.error(`app output:\n${app.output()}`);
      throw error;
    } finally {
      await app.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

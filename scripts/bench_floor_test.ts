import assert from "node:assert/strict";
import { runFloor } from "./bench_floor.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { generatedRecords } from "../pipeline/sources/generator_source.ts";

Deno.test("the floor stores and counts every record it is given, over several transactions", async () => {
  const users = STREAMS.get("users").source;
  const keys: (string | null)[] = [];
  const values: Uint8Array[] = [];
  for await (
    const r of generatedRecords(users.generator({ history: false }), users.key, {
      seed: 5,
      count: 2500,
    })
  ) {
    keys.push(r.key);
    values.push(r.value);
  }
  const dir = await Deno.makeTempDir();
  try {
    const result = runFloor({ stream: "users", keys, values, dir });
    assert.equal(result.counted, 2500);
    assert.equal(result.stored, new Set(keys).size);
    assert.ok(result.recordsPerS > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import type { ConsoleMessage } from "../server/console_messages.ts";
import { withTailed } from "./tail_messages.ts";

const at = (partition: number, offset: number, second: number): ConsoleMessage => ({
  partition,
  offset,
  timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(),
  key: null,
  headers: {},
  valueType: "json",
  value: { partition, offset },
});
const positions = (ms: ConsoleMessage[]) => ms.map((m) => `${m.partition}:${m.offset}`);

Deno.test("a tailed message joins the shown ones in time order", () => {
  const shown = [at(0, 0, 1), at(1, 0, 3)];
  assert.deepEqual(positions(withTailed(shown, [at(0, 1, 2)], 10)), ["0:0", "0:1", "1:0"]);
});

Deno.test("a message both in the snapshot and tailed shows once", () => {
  const shown = [at(0, 0, 1), at(0, 1, 2)];
  assert.deepEqual(positions(withTailed(shown, [at(0, 1, 2), at(0, 2, 3)], 10)), [
    "0:0",
    "0:1",
    "0:2",
  ]);
});

Deno.test("only the newest `limit` messages stay shown", () => {
  const shown = [at(0, 0, 1), at(0, 1, 2), at(0, 2, 3)];
  assert.deepEqual(positions(withTailed(shown, [at(0, 3, 4)], 3)), ["0:1", "0:2", "0:3"]);
});

import assert from "node:assert/strict";
import type { BrokerRecord } from "./ports.ts";
import { isRecordError } from "./record_error.ts";
import {
  parsePosition,
  positionText,
  REPLAY_HEADER,
  replayIdOf,
  replayOutcomeDocument,
  replayRecord,
  storedOutcome,
} from "./replay.ts";

function deadLetter(headers: Record<string, string> = {}): BrokerRecord {
  return {
    topic: "sales.dlq",
    partition: 0,
    offset: 42,
    key: "s-1",
    value: new Uint8Array([123, 255]),
    headers: { reason: "invalid", "error.code": "invalid", ...headers },
    timestamp: 1_000,
  };
}

Deno.test("a position reads back as written; anything else is no position", () => {
  const position = { topic: "my.topic/with/slashes.dlq", partition: 3, offset: 12_345 };
  assert.deepEqual(parsePosition(positionText(position)), position);
  for (const text of [undefined, "", "sales.dlq/0", "sales.dlq/x/1", "/0/1", "sales.dlq/0/-1"]) {
    assert.equal(parsePosition(text), undefined, String(text));
  }
});

Deno.test("a replay keeps key, bytes and timestamp and names the dead letter it replays", () => {
  const replay = replayRecord(deadLetter());
  assert.deepEqual(replay, {
    key: "s-1",
    value: new Uint8Array([123, 255]),
    timestamp: 1_000,
    headers: { [REPLAY_HEADER]: "sales.dlq/0/42" },
  });
});

Deno.test("a replay refused again is replayed as the dead letter it first came from", () => {
  const again = deadLetter({ [REPLAY_HEADER]: "sales.dlq/0/7" });
  assert.equal(replayRecord(again).headers?.[REPLAY_HEADER], "sales.dlq/0/7");
});

Deno.test("a record names its replay id; a malformed replay header is invalid input", () => {
  const record = { ...deadLetter(), topic: "sales", headers: {} };
  assert.equal(replayIdOf(record), undefined);
  assert.equal(
    replayIdOf({ ...record, headers: { [REPLAY_HEADER]: "sales.dlq/0/7" } }),
    "replay:sales.dlq/0/7",
  );
  assert.throws(
    () => replayIdOf({ ...record, headers: { [REPLAY_HEADER]: "yesterday" } }),
    (e) => isRecordError(e) && e.code === "invalid" && e.field === REPLAY_HEADER,
  );
});

Deno.test("an outcome is stored by dead-letter position and read back", () => {
  const position = { topic: "sales.dlq", partition: 0, offset: 7 };
  const replay = { ...deadLetter(), topic: "sales", partition: 1, offset: 99 };
  const doc = replayOutcomeDocument(position, replay, {
    outcome: "dead-lettered",
    code: "late",
    reason: "late",
    at: 5,
  });
  assert.equal(doc.id, "sales.dlq/0/7");
  assert.deepEqual(doc.doc.replay, { topic: "sales", partition: 1, offset: 99 });
  assert.deepEqual(storedOutcome(doc), { outcome: "dead-lettered", code: "late", reason: "late" });
  assert.deepEqual(
    storedOutcome(replayOutcomeDocument(position, replay, { outcome: "processed", at: 5 })),
    { outcome: "processed" },
  );
  assert.equal(storedOutcome(undefined), undefined);
});

import assert from "node:assert/strict";
import { parseReplayRequest } from "./replay_request.ts";
import { HttpError } from "./http_error.ts";

Deno.test("a replay request names positions or a filter", () => {
  assert.deepEqual(parseReplayRequest({ offsets: [{ partition: 0, offset: 4 }] }), {
    kind: "offsets",
    positions: [{ partition: 0, offset: 4 }],
  });
  assert.deepEqual(
    parseReplayRequest({ reason: "late", from: "2026-01-10T12:00:00Z", cursor: "0/9" }),
    {
      kind: "filter",
      filter: { reason: "late", from: Date.UTC(2026, 0, 10, 12) },
      cursor: { partition: 0, offset: 9 },
    },
  );
});

Deno.test("a bad replay request is a 400 saying what it must hold", () => {
  const bad: unknown[] = [
    null,
    [],
    {},
    { cursor: "0/1" },
    { offsets: [] },
    { offsets: [{ partition: 0 }] },
    { offsets: [{ partition: -1, offset: 0 }] },
    { offsets: [{ partition: 0, offset: 1.5 }] },
    { offsets: [{ partition: 0, offset: 1, extra: 1 }] },
    { offsets: Array.from({ length: 501 }, () => ({ partition: 0, offset: 0 })) },
    { offsets: [{ partition: 0, offset: 1 }], reason: "late" },
    { reason: "" },
    { reason: 5 },
    { reasons: "late" },
    { from: "yesterday" },
    { from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" },
    { reason: "late", cursor: 5 },
  ];
  for (const body of bad) {
    assert.throws(
      () => parseReplayRequest(body),
      (e) => e instanceof HttpError && e.status === 400 && e.message.length > 10,
      JSON.stringify(body)?.slice(0, 80),
    );
  }
});

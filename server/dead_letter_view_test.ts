import assert from "node:assert/strict";
import type { BrokerRecord } from "../pipeline/ports.ts";
import { deadLetterView, filterOfQuery, MAX_VALUE_BYTES } from "./dead_letter_view.ts";
import { HttpError } from "./http_error.ts";

function record(value: Uint8Array, headers: Record<string, string> = {}): BrokerRecord {
  return { topic: "s.dlq", partition: 0, offset: 1, key: null, value, headers, timestamp: 0 };
}

Deno.test("a dead letter shows its headers, and its bytes as text or base64", () => {
  const view = deadLetterView(
    record(new TextEncoder().encode("{}"), {
      reason: "`id` is missing",
      "error.code": "invalid",
      "exception.class": "InvalidFieldError",
      "exception.message": "`id` is missing",
      "source.topic": "s",
      "source.partition": "2",
      "source.offset": "40",
    }),
    { outcome: "processed" },
  );
  assert.deepEqual(view, {
    partition: 0,
    offset: 1,
    timestamp: "1970-01-01T00:00:00.000Z",
    reason: "`id` is missing",
    code: "invalid",
    exception: { class: "InvalidFieldError", message: "`id` is missing" },
    source: { topic: "s", partition: 2, offset: 40 },
    value: "{}",
    valueBytes: 2,
    truncated: false,
    replayOf: null,
    replay: { outcome: "processed" },
  });
  const binary = deadLetterView(record(new Uint8Array([0xc3, 0x28])), undefined);
  assert.equal(binary.valueBase64, "wyg=");
  assert.equal(binary.source, null);
  assert.equal(binary.exception, null);
});

Deno.test("a large value is cut without taking a split character for bad bytes", () => {
  const text = "é".repeat(MAX_VALUE_BYTES); // two bytes each: the cut falls inside none or one
  const view = deadLetterView(record(new TextEncoder().encode(text + "x")), undefined);
  assert.equal(view.truncated, true);
  assert.equal(view.valueBase64, undefined);
  assert.equal(view.valueBytes, MAX_VALUE_BYTES * 2 + 1);
});

Deno.test("the list's filter takes reason, from and to once each", () => {
  assert.deepEqual(filterOfQuery(new URLSearchParams("reason=late&to=2026-01-01")), {
    reason: "late",
    to: Date.UTC(2026, 0, 1),
  });
  for (const query of ["reason=a&reason=b", "from=1700000000", "to=2026-13-99T00:00Z"]) {
    assert.throws(() => filterOfQuery(new URLSearchParams(query)), HttpError, query);
  }
});

import { RecordError } from "../record_error.ts";
import assert from "node:assert/strict";
import { formatZoneless, parseEventTime, utcDay, utcMonth } from "./event_time.ts";

Deno.test("a timestamp without a zone is read as UTC and written back in the same form", () => {
  const ms = parseEventTime("2025-02-16 07:29:49", "timestamp_column");
  assert.equal(ms, Date.UTC(2025, 1, 16, 7, 29, 49));
  assert.equal(formatZoneless(ms), "2025-02-16 07:29:49");
  assert.equal(
    parseEventTime("2025-02-16T07:29:49.250", "t"),
    Date.UTC(2025, 1, 16, 7, 29, 49, 250),
  );
});

Deno.test("ISO 8601 with a zone is read as given", () => {
  assert.equal(parseEventTime("2025-02-16T07:29:49Z", "t"), Date.UTC(2025, 1, 16, 7, 29, 49));
  assert.equal(parseEventTime("2025-02-16T09:29:49+02:00", "t"), Date.UTC(2025, 1, 16, 7, 29, 49));
});

Deno.test("timestamps that do not parse are refused with the field's name", () => {
  for (
    const bad of ["yesterday", "2025-02-30 10:00:00", "2025-02-16 24:00:00", "", 1739690989, null]
  ) {
    assert.throws(() => parseEventTime(bad, "timestamp_column"), (e: Error) => {
      assert.ok(e instanceof RecordError);
      assert.match(e.message, /`timestamp_column`/);
      return true;
    });
  }
});

Deno.test("UTC day and month of a moment", () => {
  const ms = Date.UTC(2025, 11, 31, 23, 59, 59);
  assert.equal(utcDay(ms), "2025-12-31");
  assert.equal(utcMonth(ms), "2025-12");
});

import assert from "node:assert/strict";
import { boundFromInput, localInput } from "./local_time.ts";

Deno.test("a bound left as the view had it keeps its ms, also when the browser drops :00 seconds", () => {
  const onTheMinute = new Date(2026, 11, 3, 15, 42, 0, 260).getTime();
  const shown = localInput(onTheMinute);
  assert.ok(shown.endsWith(":00"), shown);
  assert.equal(boundFromInput(shown, onTheMinute), onTheMinute);
  assert.equal(boundFromInput(shown.slice(0, 16), onTheMinute), onTheMinute, "as Chrome gives it");
  const later = new Date(2026, 11, 3, 15, 42, 7, 999).getTime();
  assert.equal(boundFromInput(localInput(later), later), later);
});

Deno.test("a bound typed anew is the time typed, to the second", () => {
  const kept = new Date(2026, 11, 3, 15, 42, 7, 260).getTime();
  assert.equal(
    boundFromInput("2026-12-03T15:43", kept),
    new Date(2026, 11, 3, 15, 43, 0, 0).getTime(),
  );
  assert.equal(
    boundFromInput("2026-12-03T15:42:08", kept),
    new Date(2026, 11, 3, 15, 42, 8, 0).getTime(),
  );
  assert.equal(
    boundFromInput("2026-12-03T15:42:07", undefined),
    new Date(2026, 11, 3, 15, 42, 7, 0).getTime(),
  );
});

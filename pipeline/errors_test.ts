import assert from "node:assert/strict";
import {
  canRetry,
  isPartitionStopped,
  MissingTopicError,
  PartitionStoppedError,
  SettingError,
  UnavailableError,
} from "./errors.ts";
import { RecordError } from "./record_error.ts";
import { InvalidFieldError } from "./validation.ts";
import { refusalOf } from "./dead_letter.ts";

Deno.test("each error says by its code whether a retry can help", () => {
  const cases: Array<[Error & { code: string; retriable: boolean }, string, boolean]> = [
    [new UnavailableError("Kafka", "cannot connect to Kafka at k1:9092"), "unavailable", true],
    [
      new MissingTopicError("users.dlq", `topic "users.dlq" does not exist`),
      "missing-topic",
      false,
    ],
    [new SettingError("PORT", "PORT must be a number"), "bad-setting", false],
    [new RecordError("too-large", "the record is too large"), "too-large", false],
    [
      new InvalidFieldError({ path: "dob.date", expected: "an ISO date", got: 42 }),
      "invalid",
      false,
    ],
  ];
  for (const [error, code, retriable] of cases) {
    assert.equal(error.code, code, error.name);
    assert.equal(error.retriable, retriable, error.name);
    assert.equal(canRetry(error), retriable, error.name);
  }
});

Deno.test("an unclassified error from I/O counts as retriable, a bug in a transform is still a processing error", () => {
  const bug = new TypeError("cannot read properties of undefined");
  assert.equal(canRetry(bug), true, "a sink's unknown error is retried, as an outage");
  assert.equal(refusalOf(bug).code, "processing-error", "never taken for bad input");
  assert.equal(refusalOf(new RangeError("x")).code, "processing-error");
  assert.equal(refusalOf(new SyntaxError("x")).code, "processing-error");
  assert.equal(
    refusalOf(new InvalidFieldError({ path: "age", expected: "a number", got: "x" })).code,
    "invalid",
  );
});

Deno.test("a stopped partition's error names where and why", () => {
  const error = new PartitionStoppedError({
    stream: "users",
    topic: "users",
    partition: 1,
    offset: 19,
    code: "processing-errors",
    reason: "a broken deployment",
    at: 0,
  });
  assert.ok(isPartitionStopped(error));
  assert.equal(error.retriable, false);
  assert.equal(
    error.message,
    "users: partition users[1] stopped before offset 19: a broken deployment",
  );
  assert.equal(isPartitionStopped(new Error("x")), false);
});

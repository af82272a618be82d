import assert from "node:assert/strict";
import { fileRecords, parseRecordFile } from "./file_source.ts";
import type { SourceRecord } from "./source.ts";
import { userKey } from "../users/user_key.ts";
import { generateResponse } from "../users/generator.ts";
import { seededRandom } from "../random.ts";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text);

const RESPONSE = generateResponse(seededRandom(11), NOW, 3);
const USERS = RESPONSE.results;
const UUIDS = USERS.map((u) => u.login.uuid);

/** Each record as `[key, parsed value]`, to compare with what went in. */
function contents(records: SourceRecord[]): Array<[string | null, unknown]> {
  return records.map((r) => [r.key, JSON.parse(decoder.decode(r.value))]);
}

const expected = () => USERS.map((u): [string, unknown] => [u.login.uuid, u]);

Deno.test("a saved API response gives its results, keyed by login.uuid", () => {
  const records = parseRecordFile(bytesOf(JSON.stringify(RESPONSE, null, 2)), userKey);
  assert.deepEqual(records.map((r) => r.key), UUIDS);
  assert.deepEqual(contents(records), expected());
});

Deno.test("a JSON array gives one record per item", () => {
  const records = parseRecordFile(bytesOf(JSON.stringify(USERS)), userKey);
  assert.deepEqual(contents(records), expected());
});

Deno.test("a single JSON object is one record", () => {
  const records = parseRecordFile(bytesOf(JSON.stringify(USERS[0])), userKey);
  assert.deepEqual(contents(records), [[UUIDS[0], USERS[0]]]);
});

Deno.test("JSON lines give one record per line, in file order", () => {
  const text = USERS.map((u) => JSON.stringify(u)).join("\n") + "\n";
  assert.deepEqual(contents(parseRecordFile(bytesOf(text), userKey)), expected());
});

Deno.test("JSON lines with CRLF endings and blank lines: blank lines are skipped", () => {
  const lines = USERS.map((u) => JSON.stringify(u));
  const text = `\r\n${lines[0]}\r\n\r\n${lines[1]}\r\n   \r\n${lines[2]}\r\n`;
  const records = parseRecordFile(bytesOf(text), userKey);
  assert.equal(records.length, 3);
  assert.deepEqual(contents(records), expected());
  for (const record of records) {
    assert.ok(
      !decoder.decode(record.value).includes("\r"),
      "no carriage return left in a record",
    );
  }
});

Deno.test("a line that is not JSON is kept as its raw bytes with no key, so it is dead-lettered, not lost", () => {
  const lines = USERS.map((u) => JSON.stringify(u));
  const text = [lines[0], "this is not JSON {", lines[1]].join("\n");
  const records = parseRecordFile(bytesOf(text), userKey);
  assert.equal(records.length, 3);
  assert.equal(records[0].key, UUIDS[0]);
  assert.deepEqual(records[1], {
    key: null,
    value: new TextEncoder().encode("this is not JSON {"),
  });
  assert.equal(records[2].key, UUIDS[1]);
});

Deno.test("a JSON record without login.uuid is sent with no key", () => {
  const text = [JSON.stringify(USERS[0]), JSON.stringify({ name: "no uuid" })]
    .join("\n");
  const records = parseRecordFile(bytesOf(text), userKey);
  assert.deepEqual(contents(records), [[UUIDS[0], USERS[0]], [null, {
    name: "no uuid",
  }]]);
});

Deno.test("an empty file is refused with a SyntaxError", () => {
  assert.throws(() => parseRecordFile(bytesOf(""), userKey), {
    name: "SyntaxError",
    message: "the file holds no records",
  });
  assert.throws(() => parseRecordFile(bytesOf(" \r\n\n\t"), userKey), SyntaxError);
});

Deno.test("fileRecords reads a saved response from disk", async () => {
  const path = await Deno.makeTempFile({
    prefix: "streamboard-users-",
    suffix: ".json",
  });
  try {
    await Deno.writeTextFile(path, JSON.stringify(RESPONSE));
    const records = await Array.fromAsync(fileRecords(path, userKey));
    assert.deepEqual(contents(records), expected());
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fileRecords reads JSON lines with non-Latin text from disk", async () => {
  const path = await Deno.makeTempFile({
    prefix: "streamboard-users-",
    suffix: ".jsonl",
  });
  const persian = {
    ...USERS[0],
    name: { title: "Mr", first: "آرش", last: "رضایی" },
  };
  try {
    await Deno.writeTextFile(
      path,
      `${JSON.stringify(persian)}\n${JSON.stringify(USERS[1])}\n`,
    );
    const records = await Array.fromAsync(fileRecords(path, userKey));
    assert.deepEqual(contents(records), [[UUIDS[0], persian], [
      UUIDS[1],
      USERS[1],
    ]]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("fileRecords fails for a file that does not exist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-users-" });
  try {
    await assert.rejects(
      Array.fromAsync(fileRecords(`${dir}/missing.json`, userKey)),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Bytes from text and raw byte values, in order. */
function concat(...parts: Array<string | number[]>): Uint8Array {
  return new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...encoder.encode(p)] : p),
  );
}

/** Lines as they must reach the broker: invalid UTF-8, odd spacing, escapes, numbers JSON would rewrite. */
const HOSTILE_LINES: Uint8Array[] = [
  concat('{"login": {"uuid": "u-1"}, "price": 1.10, "n": 1e2}'),
  concat('  {"login":{"uuid":"u-2"},"name":"\\u00e9t\\u00E9 \\"q\\""}\t '),
  concat('{"login": {"uuid": "u-3"}, "name": "', [0xff, 0xfe], '"}'),
  concat([0xc3, 0x28], " not JSON, not UTF-8"),
  concat('{"a": -0.0, "b": 1E+2, "c": 12345678901234567890}'),
  concat("inner\rcarriage return"),
];

Deno.test("JSON lines are sent byte for byte: invalid UTF-8, spacing, escapes and numbers unchanged", () => {
  const file = concat(
    ...HOSTILE_LINES.flatMap((line, i) => [[...line], i % 2 === 0 ? "\n" : "\r\n"]),
    "\n",
  );
  const records = parseRecordFile(file, userKey);
  assert.deepEqual(records.map((r) => [...r.value]), HOSTILE_LINES.map((l) => [...l]));
  assert.deepEqual(records.map((r) => r.key), ["u-1", "u-2", "u-3", null, null, null]);
});

Deno.test("a file's last line without a newline, and one ending in a lone CR, lose only the terminator", () => {
  const records = parseRecordFile(concat('{"x": 1.10}\r\n{"y": 2}\r'), userKey);
  assert.deepEqual(records.map((r) => decoder.decode(r.value)), ['{"x": 1.10}', '{"y": 2}']);
});

Deno.test("a whole JSON document sends each record's exact bytes, invalid UTF-8 included", () => {
  const first = concat('{ "login" : { "uuid" : "u-1" }, "price": 1.10 }');
  const second = concat('{"login": {"uuid": "u-2"}, "name": "', [0xff], '\\u00e9", "n": 1e2}');
  const file = concat(
    [0xef, 0xbb, 0xbf],
    '{"info": {"seed": "x"},\n  "results": [\n    ',
    [...first],
    ",\n    ",
    [...second],
    "\n  ]\n}\n",
  );
  const records = parseRecordFile(file, userKey);
  assert.deepEqual(records.map((r) => [...r.value]), [[...first], [...second]]);
  assert.deepEqual(records.map((r) => r.key), ["u-1", "u-2"]);
});

Deno.test("fileRecords reads bytes from disk, so invalid UTF-8 is not replaced", async () => {
  const path = await Deno.makeTempFile({ prefix: "streamboard-users-", suffix: ".jsonl" });
  try {
    await Deno.writeFile(path, concat(...HOSTILE_LINES.flatMap((l) => [[...l], "\n"])));
    const records = await Array.fromAsync(fileRecords(path, userKey));
    assert.deepEqual(records.map((r) => [...r.value]), HOSTILE_LINES.map((l) => [...l]));
  } finally {
    await Deno.remove(path);
  }
});

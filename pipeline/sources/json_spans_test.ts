import assert from "node:assert/strict";
import { arrayElementSpans, documentItems, objectMemberSpans, recordSpans } from "./json_spans.ts";
import { seededRandom } from "../random.ts";
import { generateResponse } from "../users/generator.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The text of each span, to compare with what the document held. */
function texts(text: string): string[] {
  const bytes = encoder.encode(text);
  return recordSpans(bytes).map((s) => decoder.decode(bytes.subarray(s.start, s.end)));
}

Deno.test("array elements are found exactly as written: numbers, escapes, nesting, odd whitespace", () => {
  const elements = [
    "1.10",
    "1e2",
    "-0.0E+00",
    '"a \\"quoted\\" ] } , text"',
    '"\\u00e9t\\u00E9 \\\\"',
    '{"a": [1, {"b": "]"}], "c": "}"}',
    '[[], {}, [["["]]]',
    "true",
    "null",
    '"Ярослав 東京 🎉"',
  ];
  const text = ` \r\n[\t${elements.join(" ,\n\t ")}\r\n ]  \n`;
  assert.deepEqual(texts(text), elements);
});

Deno.test("an empty array has no records; an empty results array has none either", () => {
  assert.deepEqual(texts("[]"), []);
  assert.deepEqual(texts(" [ \n ] "), []);
  assert.deepEqual(texts('{"results": [ ], "info": {}}'), []);
});

Deno.test("a RandomUser response gives its results, with info before or after and a repeated key", () => {
  assert.deepEqual(texts('{"info": {"results": 2}, "results": [ {"a":1.10} , {"b":2} ]}'), [
    '{"a":1.10}',
    '{"b":2}',
  ]);
  // JSON.parse keeps the last of a repeated key, and so do the spans.
  assert.deepEqual(texts('{"results": [1], "x": "\\"results\\"", "results": [2, 3]}'), ["2", "3"]);
  // A key written with escapes is still `results`.
  assert.deepEqual(texts('{"res\\u0075lts": [4]}'), ["4"]);
});

Deno.test("an object without a results array, or any other value, is one record without surrounding whitespace", () => {
  assert.deepEqual(texts('\n {"results": "none", "n": 1e2}\r\n'), [
    '{"results": "none", "n": 1e2}',
  ]);
  assert.deepEqual(texts("  42 "), ["42"]);
  assert.deepEqual(texts('"text"'), ['"text"']);
});

Deno.test("invalid UTF-8 inside a string stays in the span, byte for byte", () => {
  const bytes = new Uint8Array([
    ...encoder.encode('[{"name": "'),
    0xff,
    0xc3,
    0x28,
    ...encoder.encode('"}, 7]'),
  ]);
  const [first, second] = arrayElementSpans(bytes, 0);
  assert.deepEqual(
    [...bytes.subarray(first.start, first.end)],
    [...encoder.encode('{"name": "'), 0xff, 0xc3, 0x28, ...encoder.encode('"}')],
  );
  assert.equal(decoder.decode(bytes.subarray(second.start, second.end)), "7");
});

Deno.test("a leading byte-order mark is not part of the first record", () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode("[1, 2]")]);
  assert.deepEqual(
    recordSpans(bytes).map((s) => decoder.decode(bytes.subarray(s.start, s.end))),
    ["1", "2"],
  );
});

Deno.test("object members are listed with decoded keys and value spans", () => {
  const bytes = encoder.encode('{ "a" : 1 , "b\\n": {"c": [1]} }');
  assert.deepEqual(
    objectMemberSpans(bytes, 0).map((m) => [
      m.key,
      decoder.decode(bytes.subarray(m.value.start, m.value.end)),
    ]),
    [["a", "1"], ["b\n", '{"c": [1]}']],
  );
});

Deno.test("bytes that are not what the scanner expects are refused with a SyntaxError", () => {
  assert.throws(() => arrayElementSpans(encoder.encode("{}"), 0), SyntaxError);
  assert.throws(() => objectMemberSpans(encoder.encode("[]"), 0), SyntaxError);
  assert.throws(() => recordSpans(encoder.encode('["open')), SyntaxError);
  assert.throws(() => recordSpans(encoder.encode("[1 2]")), SyntaxError);
  assert.throws(() => recordSpans(encoder.encode("[{]")), SyntaxError);
});

Deno.test("every element of a pretty-printed generated response parses to the element it was", () => {
  const response = generateResponse(seededRandom(5), Date.UTC(2025, 0, 1), 25);
  const items = documentItems(encoder.encode(JSON.stringify(response, null, 3)))!;
  assert.equal(items.length, 25);
  for (const [i, item] of items.entries()) {
    assert.deepEqual(JSON.parse(decoder.decode(item.bytes)), response.results[i]);
    assert.deepEqual(item.value, response.results[i]);
  }
});

Deno.test("documentItems is undefined for bytes that are not one JSON value", () => {
  assert.equal(documentItems(encoder.encode('{"a": 1}\n{"b": 2}')), undefined);
  assert.equal(documentItems(encoder.encode("not json")), undefined);
});

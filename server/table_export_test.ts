import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { type Cell, exportStream, type ExportTable, PARQUET_ROW_GROUP } from "./table_export.ts";
import { readParquetBytes } from "../pipeline/testing/parquet_reader.ts";

const COLUMNS = [
  { name: "name", type: "text" },
  { name: "city", type: "text" },
  { name: "revenue", type: "number" },
] as const;

const ROWS: Cell[][] = [
  ['=HYPERLINK("http://x")', "São Paulo", 12.5],
  ["+1 cmd", 'line\nbreak, "quoted"', -3],
  ["@SUM(A1)", "\tTab", 0],
  ["-negative", "\rreturn", null],
  ["Ярослав", null, 1e15],
];

function table(rows: Iterable<Cell[]> = ROWS): ExportTable {
  return {
    columns: COLUMNS,
    rows: (async function* () {
      yield* rows;
    })(),
  };
}

const bytesOf = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer());

Deno.test("CSV export: a header, RFC 4180 quoting, and every cell a spreadsheet would run neutralised", async () => {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(
    await bytesOf(exportStream(table(), "csv")),
  );
  assert.ok(text.startsWith("\uFEFFname,city,revenue\r\n"), "BOM and header");
  const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
  assert.deepEqual(rows, [
    { name: '\'=HYPERLINK("http://x")', city: "São Paulo", revenue: "12.5" },
    { name: "'+1 cmd", city: 'line\nbreak, "quoted"', revenue: "-3" },
    { name: "'@SUM(A1)", city: "'\tTab", revenue: "0" },
    { name: "'-negative", city: "'\rreturn", revenue: "" },
    { name: "Ярослав", city: "", revenue: "1000000000000000" },
  ]);
});

Deno.test("NDJSON export: one object a line, numbers as numbers, cells exactly as they are", async () => {
  const text = new TextDecoder().decode(await bytesOf(exportStream(table(), "ndjson")));
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", "ends with a newline");
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    ROWS.map(([name, city, revenue]) => ({ name, city, revenue })),
  );
});

Deno.test("Parquet export: typed columns, nulls kept, read back by an independent reader", async () => {
  const read = readParquetBytes(await bytesOf(exportStream(table(), "parquet")));
  assert.deepEqual(read.columns.map((c) => [c.name, c.type]), [
    ["name", "Utf8"],
    ["city", "Utf8"],
    ["revenue", "Float64"],
  ]);
  assert.deepEqual(read.rows, ROWS.map(([name, city, revenue]) => ({ name, city, revenue })));
});

Deno.test("Parquet export sends each row group as it fills, before the rows are all read", async () => {
  let produced = 0;
  const rows = (async function* () {
    for (let i = 0; i < PARQUET_ROW_GROUP * 3 + 7; i++) {
      produced++;
      yield [`user ${i}`, "Oslo", i] as Cell[];
    }
  })();
  const reader = exportStream({ columns: COLUMNS, rows }, "parquet").getReader();
  const first = await reader.read();
  assert.ok(first.value && first.value.length > 0);
  assert.equal(produced, PARQUET_ROW_GROUP, "one row group read for the first chunk");
  const chunks: Uint8Array<ArrayBuffer>[] = [first.value as Uint8Array<ArrayBuffer>];
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    chunks.push(next.value as Uint8Array<ArrayBuffer>);
  }
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  const read = readParquetBytes(bytes);
  assert.equal(read.rows.length, PARQUET_ROW_GROUP * 3 + 7);
  assert.deepEqual(read.rows.at(-1), {
    name: `user ${PARQUET_ROW_GROUP * 3 + 6}`,
    city: "Oslo",
    revenue: PARQUET_ROW_GROUP * 3 + 6,
  });
});

Deno.test("an empty table is a header-only CSV, an empty NDJSON and a Parquet file of no rows", async () => {
  const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(
    await bytesOf(exportStream(table([]), "csv")),
  );
  assert.equal(csv, "\uFEFFname,city,revenue\r\n");
  assert.equal((await bytesOf(exportStream(table([]), "ndjson"))).length, 0);
  assert.equal(readParquetBytes(await bytesOf(exportStream(table([]), "parquet"))).rows.length, 0);
});

Deno.test("a client that stops reading stops the rows being read", async () => {
  let closed = false;
  const rows = (async function* () {
    try {
      for (let i = 0;; i++) yield [`u${i}`, "x", i] as Cell[];
    } finally {
      closed = true;
    }
  })();
  const reader = exportStream({ columns: COLUMNS, rows }, "csv").getReader();
  await reader.read();
  await reader.cancel();
  assert.ok(closed);
});

import assert from "node:assert/strict";
import {
  isWindowFileName,
  PRODUCT_CSV_COLUMNS,
  productCsvRow,
  replaceAtomically,
  windowCsv,
  windowFileName,
} from "./window_csv.ts";

const START = Date.UTC(2025, 1, 16, 7, 28, 0);
const END = Date.UTC(2025, 1, 16, 7, 30, 0);
const HEADER = "id,product,description,price,kdv,total,window_end\r\n";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

async function withDir(run: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-window-csv-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a window's file is named after its UTC bounds, with the partition when not 0", () => {
  assert.equal(
    windowFileName(START, END, 0),
    "products_2025-02-16T07-28-00_2025-02-16T07-30-00.csv",
  );
  assert.equal(
    windowFileName(START, END, 3),
    "products_2025-02-16T07-28-00_2025-02-16T07-30-00_p3.csv",
  );
});

Deno.test("every name windowFileName makes is recognised", () => {
  const cases: Array<[number, number, number]> = [
    [START, END, 0],
    [START, END, 12],
    [0, 120_000, 0],
    [Date.UTC(2099, 11, 31, 23, 58, 0), Date.UTC(2100, 0, 1, 0, 0, 0), 1],
    [START + 999, END + 1, 0],
  ];
  for (const [start, end, partition] of cases) {
    const name = windowFileName(start, end, partition);
    assert.ok(isWindowFileName(name), name);
    assert.ok(!name.includes("/") && !name.includes(":"), `${name} is a plain file name`);
  }
});

Deno.test("names that could reach another file are refused", () => {
  const good = windowFileName(START, END, 0);
  for (
    const name of [
      "../x.csv",
      "products_..csv",
      `../${good}`,
      `./${good}`,
      `sub/${good}`,
      `${good}/../../etc/passwd`,
      `..\\${good}`,
      `${good}\n`,
      `${good}.tmp`,
      `.${good}.1a2b3c4d.tmp`,
      `${good}%00`,
      "products_2025-02-16T07-28-00_2025-02-16T07-30-00_p.csv",
      "products_2025-02-16T07-28-00_2025-02-16T07-30-00_p-1.csv",
      "products_2025-02-16T07:28:00_2025-02-16T07:30:00.csv",
      "products_.csv",
      "",
    ]
  ) {
    assert.equal(isWindowFileName(name), false, JSON.stringify(name));
  }
});

Deno.test("a window file is the header then one CRLF-ended row per record", () => {
  const text = windowCsv([
    ["7", "Televizyon", "LG OLED TV", "18000", "0.18", "21240.00", "2025-02-16 07:30:00"],
    ["8", "Kitap", "Roman", "189.5", "0.01", "191.40", "2025-02-16 07:30:00"],
  ]);
  assert.equal(
    text,
    HEADER +
      "7,Televizyon,LG OLED TV,18000,0.18,21240.00,2025-02-16 07:30:00\r\n" +
      "8,Kitap,Roman,189.5,0.01,191.40,2025-02-16 07:30:00\r\n",
  );
  assert.equal(HEADER, PRODUCT_CSV_COLUMNS.join(",") + "\r\n");
  assert.equal(windowCsv([]), HEADER, "an empty window still has its header");
});

Deno.test("a stored product's cells that a spreadsheet would run are neutralised", () => {
  const doc = {
    id: "p-1",
    ts: START,
    doc: {
      id: "-1+1",
      product: '=HYPERLINK("http://evil.example","TV")',
      description: "@SUM(A1)",
      price: "18000",
      kdv: "0.18",
      total: "21240.00",
    },
  };
  assert.deepEqual(productCsvRow(doc, "2025-02-16 07:30:00"), [
    "'-1+1",
    `'=HYPERLINK("http://evil.example","TV")`,
    "'@SUM(A1)",
    "18000",
    "0.18",
    "21240.00",
    "2025-02-16 07:30:00",
  ]);
  const plain = { ...doc, doc: { ...doc.doc, id: "-7", product: "+5", description: "a=b" } };
  assert.deepEqual(
    productCsvRow(plain, "x").slice(0, 3),
    ["-7", "+5", "a=b"],
    "plain numbers and text not starting with a formula sign are left as they are",
  );
});

Deno.test("cells with a comma or a quote are quoted, quotes doubled", () => {
  const text = windowCsv([
    ["1", 'Kitap, "ciltli"', '14" dizüstü', "1", "0.2", "1.20", "2025-02-16 07:30:00"],
  ]);
  assert.equal(
    text,
    HEADER + '1,"Kitap, ""ciltli""","14"" dizüstü",1,0.2,1.20,2025-02-16 07:30:00\r\n',
  );
});

Deno.test("cells with a line break are quoted, whichever the line break", () => {
  // RFC 4180 §2.6: a field holding a line break is enclosed in double quotes. Readers
  // (Python's csv, spreadsheets) end a row at a bare LF or CR too, so those need quotes as well.
  const text = windowCsv([
    ["1", "a\r\nb", "satır\nsonu", "c\rd", "0.2", "1.20", "2025-02-16 07:30:00"],
  ]);
  assert.equal(
    text,
    HEADER + '1,"a\r\nb","satır\nsonu","c\rd",0.2,1.20,2025-02-16 07:30:00\r\n',
  );
});

Deno.test("replaceAtomically writes the file and leaves nothing else behind", async () => {
  await withDir(async (dir) => {
    const name = windowFileName(START, END, 0);
    const text = windowCsv([["1", "Süt", "Tam yağlı süt, 1 L", "34.75", "0.01", "35.10", "x"]]);
    await replaceAtomically(`${dir}/csv/deeper`, name, text);
    assert.equal(await Deno.readTextFile(`${dir}/csv/deeper/${name}`), text);
    assert.deepEqual(await names(`${dir}/csv/deeper`), [name]);
  });
});

Deno.test("replaceAtomically replaces a file that exists (a window fired again)", async () => {
  await withDir(async (dir) => {
    const name = windowFileName(START, END, 0);
    await replaceAtomically(dir, name, "first\r\n");
    await replaceAtomically(dir, name, "second\r\n");
    assert.equal(await Deno.readTextFile(`${dir}/${name}`), "second\r\n");
    assert.deepEqual(await names(dir), [name], "no temporary file is left");
  });
});

Deno.test("of concurrent replaceAtomically calls for one window one whole text remains", async () => {
  await withDir(async (dir) => {
    const name = windowFileName(START, END, 0);
    const texts = Array.from({ length: 12 }, (_, i) => `writer ${i}\r\n`.repeat(1000 + i));
    await Promise.all(texts.map((text) => replaceAtomically(dir, name, text)));
    assert.ok(texts.includes(await Deno.readTextFile(`${dir}/${name}`)), "one writer's whole text");
    assert.deepEqual(await names(dir), [name], "no temporary file is left");
  });
});

Deno.test("a reader never sees part of a file replaceAtomically is writing", async () => {
  await withDir(async (dir) => {
    const name = windowFileName(START, END, 0);
    const old = "old\r\n".repeat(1000);
    await replaceAtomically(dir, name, old);
    const text = "0123456789abcdef".repeat(1 << 20); // 16 MiB
    let done = false;
    const writing = replaceAtomically(dir, name, text).finally(() => done = true);
    const seen = new Set<number>();
    while (!done) seen.add((await Deno.readFile(`${dir}/${name}`)).length);
    await writing;
    for (const length of seen) {
      assert.ok(length === old.length || length === text.length, `a reader saw ${length} bytes`);
    }
    assert.equal(await Deno.readTextFile(`${dir}/${name}`), text);
  });
});

Deno.test("replaceAtomically clears the temporary file a killed writer left behind", async () => {
  const dir = await Deno.makeTempDir();
  const name = windowFileName(0, 120_000, 0);
  const stale = `${dir}/.${name}.dead0000.tmp`;
  await Deno.writeTextFile(stale, "id,product\r\n7,half a ro");
  await replaceAtomically(dir, name, "id\r\n1\r\n");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [name]);
  assert.equal(await Deno.readTextFile(`${dir}/${name}`), "id\r\n1\r\n");
  await Deno.remove(dir, { recursive: true });
});

import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { startFixture } from "../testing/app_fixture.ts";
import { sseReader } from "../testing/sse_reader.ts";
import type { StoredDocument } from "../pipeline/ports.ts";
import type { SalesSnapshot, UsersSnapshot } from "../server/dashboards.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { SALES } from "../pipeline/sales/sales_stream.ts";
import { CSV_COLUMNS } from "../pipeline/users/users_csv.ts";
import { readParquetBytes } from "../pipeline/testing/parquet_reader.ts";

const NOW = Date.now();
const COUNTRIES = ["Norway", "Brazil", "Chile"];

/** 90 stored users, one a minute back from now: genders, countries and ages in turn. */
function userDocs(): StoredDocument[] {
  return Array.from({ length: 90 }, (_, i) => ({
    id: `u-${String(i).padStart(3, "0")}`,
    ts: NOW - i * 60_000,
    doc: {
      fullName: i % 4 === 0 ? `=Ana Silva ${i}` : `Bo Berg ${i}`,
      gender: ["male", "female", "other"][i % 3],
      country: COUNTRIES[i % 3 === 1 ? (i % 2) : 2],
      age: 18 + (i % 50),
      email: `u${i}@example.com`,
      picture: "",
    },
  }));
}

function saleDocs(): StoredDocument[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: `s-${i}`,
    ts: NOW - i * 10 * 60_000,
    doc: {
      product: i % 2 === 0 ? "Laptop" : "Coffee",
      category: i % 2 === 0 ? "Electronics" : "Grocery",
      quantity: 1,
      unitPrice: "1.00",
      totalCents: 100 + i,
      paymentMethod: "card",
      city: i % 4 < 2 ? "Oslo" : "Lima",
      country: i % 4 < 2 ? "Norway" : "Peru",
      latitude: 1,
      longitude: 2,
    },
  }));
}

const DOCS = userDocs();
/** The users `gender=female&country=Norway&ageMin=20&ageMax=60&name=ana&range=1h` selects, newest first. */
const MATCHING = DOCS.filter((d) =>
  d.doc.gender === "female" && d.doc.country === "Norway" && Number(d.doc.age) >= 20 &&
  Number(d.doc.age) <= 60 && String(d.doc.fullName).toLowerCase().includes("ana") &&
  d.ts >= NOW - 3_600_000
);
const QUERY = "gender=female&country=Norway&ageMin=20&ageMax=60&name=ana&range=1h";

async function withData(fn: (f: Awaited<ReturnType<typeof startFixture>>) => Promise<void>) {
  const f = await startFixture();
  try {
    await f.pipeline.raw.upsert(USERS.collection, DOCS);
    await f.pipeline.raw.upsert(SALES.collection, saleDocs());
    await fn(f);
  } finally {
    await f.close();
  }
}

Deno.test("the users page's JSON in a view counts and lists only the users the view selects", async () => {
  assert.ok(MATCHING.length >= 2, "the fixture selects some users");
  await withData(async (f) => {
    const res = await f.app.request(`/api/pages/users?${QUERY}`);
    assert.equal(res.status, 200);
    const page = await res.json() as UsersSnapshot;
    assert.deepEqual(page.users.map((u) => u.uuid), MATCHING.map((d) => d.id));
    assert.deepEqual(
      { ...page.stats, rejected: 0 },
      { total: MATCHING.length, male: 0, female: MATCHING.length, other: 0, rejected: 0 },
    );
    const whole = await (await f.app.request("/api/pages/users")).json() as UsersSnapshot;
    assert.equal(whole.users.length, 20, "without a view, the newest 20 of all");
  });
});

Deno.test("the sales page in a view sums only the matching sales of the time range", async () => {
  await withData(async (f) => {
    const res = await f.app.request("/api/pages/sales?product=Laptop&city=Oslo&range=1d");
    assert.equal(res.status, 200);
    const page = await res.json() as SalesSnapshot;
    const sold = saleDocs().filter((d) =>
      d.doc.product === "Laptop" && d.doc.city === "Oslo" && d.ts >= NOW - 86_400_000
    );
    const cents = sold.reduce((n, d) => n + Number(d.doc.totalCents), 0);
    assert.equal(page.kpi.transactions, sold.length);
    assert.equal(page.kpi.revenueText, (cents / 100).toFixed(2));
    assert.deepEqual(page.byProduct.map((p) => p.product), ["Laptop"]);
    assert.deepEqual(page.byCity.map((c) => c.city), ["Oslo"]);
  });
});

Deno.test("a malformed view is a 400 with a message on the page, its JSON, its stream and its exports", async () => {
  await withData(async (f) => {
    for (
      const [path, message] of [
        ["/?ageMin=0x10", /ageMin must be a whole number/],
        ["/api/pages/users?gender=robot", /gender must be one of/],
        ["/api/pages/sales?from=9&to=3", /from \(9\) must be before to \(3\)/],
        ["/api/stream/clicks?item=501", /item must be a whole number from 1 to 500/],
        ["/api/pages/products?city=Oslo", /unknown parameter "city"/],
        [
          "/api/export/users/users?format=xls",
          /format must be given once, one of csv, ndjson, parquet/,
        ],
        ["/api/export/users/users?format=csv&range=week", /range must be one of/],
        ["/api/pages/console?range=1h", /the console page has no filters/],
      ] as const
    ) {
      const res = await f.app.request(path);
      assert.equal(res.status, 400, path);
      assert.match((await res.json()).error, message, path);
    }
    const missing = await f.app.request("/api/export/users/nope?format=csv");
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /no table "nope"; it has users, gender, counters/);
  });
});

Deno.test("the page rendered from a shared URL shows that view: filters filled in, only matching users", async () => {
  await withData(async (f) => {
    const html = await (await f.app.request(`/?${QUERY}`)).text();
    assert.match(html, /data-testid="page-filters"/);
    for (const d of MATCHING) assert.ok(html.includes(d.id), `${d.id} is listed`);
    const other = DOCS.find((d) => d.doc.gender === "male")!;
    assert.ok(!html.includes(`"${other.id}"`), "a user outside the view is not");
    assert.match(
      html,
      /href="\/api\/export\/users\/users\?range=1h&amp;gender=female&amp;country=Norway&amp;ageMin=20&amp;ageMax=60&amp;name=ana&amp;format=parquet"/,
    );
  });
});

Deno.test("the users export holds every user of the view, in CSV, NDJSON and Parquet alike", async () => {
  await withData(async (f) => {
    const get = (format: string) =>
      f.app.request(`/api/export/users/users?${QUERY}&format=${format}`);
    const csv = await get("csv");
    assert.equal(csv.status, 200);
    assert.match(
      csv.headers.get("content-disposition")!,
      /attachment; filename="streamboard-users-users-\d{4}-\d\d-\d\d\.csv"/,
    );
    const rows = parse(await csv.text(), { bom: true, columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
    assert.deepEqual(rows.map((r) => r.uuid), MATCHING.map((d) => d.id));
    assert.ok(rows.every((r) => r.full_name.startsWith("'=")), "formula-like names neutralised");
    const ndjson = (await (await get("ndjson")).text()).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(ndjson.map((r) => r.uuid), MATCHING.map((d) => d.id));
    assert.deepEqual(ndjson.map((r) => r.age), MATCHING.map((d) => d.doc.age));
    assert.equal(ndjson[0].full_name, MATCHING[0].doc.fullName, "NDJSON keeps the text as it is");
    const parquet = readParquetBytes(new Uint8Array(await (await get("parquet")).arrayBuffer()));
    assert.deepEqual(parquet.rows.map((r) => r.uuid), MATCHING.map((d) => d.id));
    assert.deepEqual(parquet.rows.map((r) => r.age), MATCHING.map((d) => d.doc.age));
  });
});

Deno.test("a chart's export is the rows it shows in the view", async () => {
  await withData(async (f) => {
    const res = await f.app.request("/api/export/sales/products?format=ndjson&city=Lima");
    const rows = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    const page = await (await f.app.request("/api/pages/sales?city=Lima")).json() as SalesSnapshot;
    assert.deepEqual(
      rows,
      page.byProduct.map((p) => ({
        product: p.product,
        category: p.category,
        revenue: p.revenueText,
        transactions: p.transactions,
      })),
    );
  });
});

Deno.test("a view's live stream starts with the view's snapshot and sends it again on each change", async () => {
  await withData(async (f) => {
    const res = await f.app.request("/api/stream/users?gender=female&range=1h");
    assert.equal(res.status, 200);
    const events = sseReader(res);
    try {
      const first = JSON.parse((await events.until("snapshot")).data!) as UsersSnapshot;
      assert.ok(first.users.length > 0);
      assert.ok(first.users.every((u) => u.gender === "female"));
      await f.pipeline.raw.upsert(USERS.collection, [
        { id: "new-female", ts: NOW + 1000, doc: { ...DOCS[1].doc, fullName: "Newest" } },
        { id: "new-male", ts: NOW + 2000, doc: { ...DOCS[0].doc, fullName: "Newer" } },
      ]);
      f.state.hubs.get("users")!.publish("update", { whole: "page" });
      const update = JSON.parse((await events.until("update")).data!) as UsersSnapshot;
      assert.equal(update.users[0].uuid, "new-female", "the view's snapshot, not the hub's");
      assert.equal(update.stats.total, first.stats.total + 1);
    } finally {
      await events.cancel();
    }
  });
});

Deno.test("the clickstream page in a view counts the matching events: device narrows views, item every topic", async () => {
  await withData(async (f) => {
    const event = (topic: string, i: number, extra: Record<string, string | number>) => ({
      id: `${topic}-${i}`,
      ts: NOW - i * 1000,
      doc: { user_id: 1, item_id: i % 2 ? 7 : 8, timestamp: "", ...extra },
    });
    await f.pipeline.raw.upsert(
      "views",
      Array.from(
        { length: 12 },
        (_, i) => event("views", i, { device_type: ["mobile", "tablet", "desktop"][i % 3] }),
      ),
    );
    await f.pipeline.raw.upsert(
      "clicks",
      Array.from({ length: 6 }, (_, i) => event("clicks", i, {})),
    );
    await f.pipeline.raw.upsert(
      "ratings",
      Array.from({ length: 4 }, (_, i) => event("ratings", i, { rating: 1 + i })),
    );
    const page = await (await f.app.request("/api/pages/clicks?device=tablet&item=7")).json();
    // Views i = 1, 4, 7, 10 are tablets; odd i are item 7: i = 1, 7.
    assert.deepEqual(page.totals, { views: 2, clicks: 3, ratings: 2 });
    assert.deepEqual(page.devices, { mobile: 0, desktop: 0, tablet: 2 });
    assert.deepEqual(page.topViewed, [{ item: 7, views: 2 }]);
    assert.deepEqual(page.topClicked, [{ item: 7, clicks: 3 }]);
    assert.deepEqual(page.ratings, [{ item: 7, average: 3, count: 2 }]);
  });
});

Deno.test("the products page in a time range lists the windows that start in it", async () => {
  await withData(async (f) => {
    const window = (minutesAgo: number) => ({
      id: `w-${minutesAgo}`,
      ts: NOW - minutesAgo * 60_000,
      doc: {
        start: new Date(NOW - minutesAgo * 60_000).toISOString().slice(0, 19).replace("T", " "),
        end: "",
        partition: 0,
        file: `w-${minutesAgo}.csv`,
        records: 1,
        sumPrice: "1.00",
        sumTotal: "1.18",
      },
    });
    await f.pipeline.raw.upsert("product_windows", [window(2), window(4), window(90)]);
    const page = await (await f.app.request("/api/pages/products?range=1h")).json();
    assert.deepEqual(page.closed.map((w: { file: string }) => w.file), ["w-2.csv", "w-4.csv"]);
    const whole = await (await f.app.request("/api/pages/products")).json();
    assert.equal(whole.closed.length, 3);
  });
});

import assert from "node:assert/strict";
import world from "world-atlas/countries-110m.json" with { type: "json" };
import manifest from "../fresh.gen.ts";
import { DEFAULTS, withConfig } from "../config.ts";
import { createApp } from "../server/app.ts";
import { pageHubs } from "../server/live_feed.ts";
import type { AppState } from "../server/state.ts";
import { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import type {
  ClicksSnapshot,
  DashboardPages,
  ProductsSnapshot,
  SalesSnapshot,
} from "../server/dashboards.ts";
import { usersSnapshot } from "../server/users_data.ts";
import { openPipeline } from "../pipeline/wiring.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { metricsPort } from "../server/metrics/metrics_port.ts";
import { HealthBoard, healthPort } from "../server/health.ts";
import { TopicRates } from "../server/topic_rates.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";

/** A sales snapshot with three products (one with a hostile name), three cities and two months. */
export const SALES: SalesSnapshot = {
  kpi: {
    revenue: 12345.6,
    revenueText: "12345.60",
    transactions: 42,
    averageTicket: 293.94,
    averageTicketText: "293.94",
  },
  byProduct: [
    {
      product: "Laptop",
      category: "Electronics",
      revenue: 10800,
      revenueText: "10800.00",
      transactions: 12,
    },
    {
      product: "Coffee beans",
      category: "Grocery",
      revenue: 1045.6,
      revenueText: "1045.60",
      transactions: 20,
    },
    { product: HOSTILE, category: "Toys", revenue: 500, revenueText: "500.00", transactions: 10 },
  ],
  byCity: [
    {
      city: "Istanbul",
      country: "Turkey",
      lat: 41.01,
      lon: 28.98,
      revenue: 6000,
      revenueText: "6000.00",
      transactions: 20,
    },
    {
      city: "New York",
      country: "United States",
      lat: 40.71,
      lon: -74.01,
      revenue: 4345.6,
      revenueText: "4345.60",
      transactions: 15,
    },
    {
      city: "Sydney",
      country: "Australia",
      lat: -33.87,
      lon: 151.21,
      revenue: 2000,
      revenueText: "2000.00",
      transactions: 7,
    },
  ],
  byMonth: [
    { month: "2025-01", revenue: 4000, revenueText: "4000.00", transactions: 14 },
    { month: "2025-02", revenue: 8345.6, revenueText: "8345.60", transactions: 28 },
  ],
  rejected: { invalid: 3, late: 1, processingError: 0, duplicate: 0 },
};

/** A clickstream snapshot with a minute of rates, two items and every device. */
export const CLICKS: ClicksSnapshot = {
  rates: { clicks: 12.5, views: 30, ratings: 2.25 },
  rateSeries: Array.from({ length: 60 }, (_, i) => ({
    t: Date.UTC(2025, 1, 16, 7, 28, 0) + i * 1000,
    clicks: 10 + (i % 5),
    views: 25 + (i % 7),
    ratings: i % 3,
  })),
  totals: { clicks: 1200, views: 3400, ratings: 210 },
  topViewed: [{ item: 42, views: 90 }, { item: 7, views: 60 }],
  topClicked: [{ item: 7, clicks: 40 }, { item: 42, clicks: 35 }],
  ratings: [{ item: 42, average: 4.25, count: 12 }, { item: 7, average: 3.5, count: 8 }],
  devices: { mobile: 1700, desktop: 1200, tablet: 500 },
  sessions: {
    mobile: { sessions: 310, meanDurationMs: 125_000, eventsPerSession: 3.4 },
    desktop: { sessions: 220, meanDurationMs: 44_600, eventsPerSession: 2.1 },
    tablet: { sessions: 90, meanDurationMs: 0, eventsPerSession: 1 },
    none: { sessions: 40, meanDurationMs: 30_000, eventsPerSession: 2 },
  },
  rejected: {
    clicks: { invalid: 2, late: 1, processingError: 0, duplicate: 0 },
    views: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
    ratings: { invalid: 1, late: 0, processingError: 0, duplicate: 0 },
  },
};

/** A products snapshot with one closed and one open window. */
export const PRODUCTS: ProductsSnapshot = {
  closed: [{
    start: "2025-02-16 07:26:00",
    end: "2025-02-16 07:28:00",
    records: 17,
    sumPrice: "1234567.50",
    sumTotal: "1456789.71",
    file: "products_2025-02-16_07-26-00.csv",
    url: "/export/products/products_2025-02-16_07-26-00.csv",
  }],
  open: [{
    start: "2025-02-16 07:28:00",
    end: "2025-02-16 07:30:00",
    records: 5,
    sumPrice: "100.00",
    sumTotal: "118.00",
  }],
  watermark: "2025-02-16 07:29:10",
  rejected: { invalid: 4, late: 2, processingError: 0, duplicate: 0 },
};

/** Snapshots of dashboards that have seen nothing yet. */
export const EMPTY: { sales: SalesSnapshot; clicks: ClicksSnapshot; products: ProductsSnapshot } = {
  sales: {
    kpi: {
      revenue: 0,
      revenueText: "0.00",
      transactions: 0,
      averageTicket: 0,
      averageTicketText: "0.00",
    },
    byProduct: [],
    byCity: [],
    byMonth: [],
    rejected: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
  },
  clicks: {
    rates: { clicks: 0, views: 0, ratings: 0 },
    rateSeries: [],
    totals: { clicks: 0, views: 0, ratings: 0 },
    topViewed: [],
    topClicked: [],
    ratings: [],
    devices: { mobile: 0, desktop: 0, tablet: 0 },
    sessions: {
      mobile: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
      desktop: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
      tablet: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
      none: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
    },
    rejected: {
      clicks: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
      views: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
      ratings: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
    },
  },
  products: {
    closed: [],
    open: [],
    watermark: null,
    rejected: { invalid: 0, late: 0, processingError: 0, duplicate: 0 },
  },
};

/** Snapshots of the sales, clickstream and products pages. */
type Snapshots = { sales: SalesSnapshot; clicks: ClicksSnapshot; products: ProductsSnapshot };

/** The sample snapshots. */
const SAMPLE: Snapshots = { sales: SALES, clicks: CLICKS, products: PRODUCTS };

/**
 * Runs `fn` against an app whose sales, clickstream and products pages read
 * `snapshots` and whose users page reads the (empty) real embedded stores.
 */
async function withApp(
  snapshots: Snapshots,
  fn: (app: ReturnType<typeof createApp>) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "streamboard-dashboards-" });
  const config = withConfig(DEFAULTS, { stores: { dataDir }, producer: { enabled: false } });
  const pipeline = await openPipeline({ config, registry: STREAMS, log: silentLogger });
  const fixed = <S>(snapshot: S) => ({ liveTopics: [], read: () => Promise.resolve(snapshot) });
  const pages: DashboardPages = {
    users: { liveTopics: [], read: () => usersSnapshot(pipeline.raw, pipeline.aggregates) },
    sales: fixed(snapshots.sales),
    clicks: fixed(snapshots.clicks),
    products: fixed(snapshots.products),
  };
  const hubs = pageHubs(pages, { sseReplay: 10, sseClientBuffer: 10 });
  const state: AppState = {
    config,
    registry: STREAMS,
    broker: pipeline.broker,
    raw: pipeline.raw,
    aggregates: pipeline.aggregates,
    pages,
    hubs,
    log: silentLogger,
    health: healthPort({ board: new HealthBoard(), probes: [], probeTimeoutMs: 1000 }),
    topicRates: new TopicRates(),
    lag: new GroupLagTracker({ sampleMs: 5000 }),
    metrics: metricsPort({ providers: [], timeoutMs: 1000, log: silentLogger }),
    now: () => Date.UTC(2025, 1, 16, 7, 30),
  };
  try {
    await fn(createApp(manifest, state));
  } finally {
    for (const hub of hubs.values()) hub.close();
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function page(app: ReturnType<typeof createApp>, path: string): Promise<string> {
  const res = await app.request(path);
  assert.equal(res.status, 200, path);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  return await res.text();
}

/** The HTML of the element carrying `data-testid`, up to the end of its tag's first closing. */
function byTestId(html: string, id: string): string {
  const at = html.indexOf(`data-testid="${id}"`);
  assert.ok(at >= 0, `no element with data-testid="${id}"`);
  const open = html.lastIndexOf("<", at);
  const tag = /^<([a-z0-9]+)/.exec(html.slice(open))![1];
  let depth = 0;
  const re = new RegExp(`<(/?)${tag}\\b[^>]*>`, "g");
  re.lastIndex = open;
  for (let m; (m = re.exec(html));) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return html.slice(open, re.lastIndex);
  }
  return html.slice(open);
}

/** The visible text of an HTML fragment, entities decoded. */
function text(fragment: string): string {
  return fragment.replace(/<script[^>]*>.*?<\/script>/gs, "").replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}

Deno.test("GET /sales shows the KPIs, locations, charts and product table before any script", async () => {
  await withApp(SAMPLE, async (app) => {
    const html = await page(app, "/sales");
    assert.equal(text(byTestId(html, "kpi-revenue")), "12,345.60");
    assert.equal(text(byTestId(html, "kpi-transactions")), "42");
    assert.equal(text(byTestId(html, "kpi-average-ticket")), "293.94");
    assert.equal(text(byTestId(html, "kpi-rejected-invalid")), "3");
    assert.equal(text(byTestId(html, "kpi-rejected-late")), "1");

    const map = byTestId(html, "sales-map");
    assert.match(map, /data-points="3"/);
    assert.equal((map.match(/<circle /g) ?? []).length, 3, "a bubble per city on the server's map");
    assert.match(text(byTestId(html, "sales-cities")), /Istanbul, Turkey6,000\.00/);
    assert.match(text(byTestId(html, "sales-cities")), /New York, United States4,345\.60/);

    const donut = byTestId(html, "sales-donut");
    assert.match(donut, /data-values="10800,1045.6,500"/);
    assert.match(text(donut), /Laptop: 10,800\.00/);
    assert.match(text(donut), /Coffee beans: 1,045\.60/);

    const monthly = byTestId(html, "sales-monthly");
    assert.match(monthly, /<polyline /);
    assert.match(text(monthly), /Jan 2025/);
    assert.match(text(monthly), /Feb 2025: 8,345\.60/);

    const rows = [...byTestId(html, "sales-table").matchAll(/<tr data-product[^>]*>(.*?)<\/tr>/g)]
      .map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => text(c[1])));
    assert.deepEqual(rows, [
      ["Laptop", "Electronics", "12", "10,800.00"],
      ["Coffee beans", "Grocery", "20", "1,045.60"],
      [HOSTILE, "Toys", "10", "500.00"],
    ]);
  });
});

Deno.test("GET /sales renders a product name as text, in the page and in the islands' props", async () => {
  await withApp(SAMPLE, async (app) => {
    const html = await page(app, "/sales");
    assert.ok(!html.includes(HOSTILE), "the raw name never appears as markup");
    assert.match(html, /&lt;img src=x onerror=alert\(1\)>/);
    assert.match(html, /\\u003cimg src=x onerror=alert\(1\)>/, "escaped inside the JSON props");
  });
});

Deno.test("GET /clicks shows rates, totals, top items, ratings, devices and sessions before any script", async () => {
  await withApp(SAMPLE, async (app) => {
    const html = await page(app, "/clicks");
    const rates = byTestId(html, "clicks-rates");
    assert.equal(text(byTestId(rates, "rate-clicks")), "12.5");
    assert.equal(text(byTestId(rates, "rate-views")), "30.0");
    assert.equal(text(byTestId(rates, "rate-ratings")), "2.3");
    assert.equal((rates.match(/<polyline /g) ?? []).length, 3, "a line per topic");

    assert.equal(text(byTestId(html, "total-views")), "3,400");
    assert.equal(text(byTestId(html, "clicks-rejected-invalid")), "3");
    assert.equal(text(byTestId(html, "clicks-rejected-late")), "1");

    const viewed = byTestId(html, "top-viewed");
    assert.deepEqual([...viewed.matchAll(/data-item="(\d+)"/g)].map((m) => m[1]), ["42", "7"]);
    assert.match(text(viewed), /#4290/);
    assert.deepEqual(
      [...byTestId(html, "top-clicked").matchAll(/data-item="(\d+)"/g)].map((m) => m[1]),
      ["7", "42"],
    );

    const ratings = byTestId(html, "ratings-table");
    assert.match(text(ratings), /#424\.2512/);
    assert.match(text(ratings), /#73\.508/);

    const devices = byTestId(html, "device-split");
    assert.match(devices, /data-values="1700,1200,500"/);
    assert.equal(text(byTestId(devices, "device-mobile")), "1,700");
    assert.match(text(devices), /50%/);

    const sessions = byTestId(html, "sessions-table");
    const row = (device: string) => {
      const at = sessions.indexOf(`data-device="${device}"`);
      return text(sessions.slice(at, sessions.indexOf("</tr>", at)).replace(/^[^>]*>/, ""));
    };
    assert.equal(row("mobile"), "Mobile3102 min 05 s3.4");
    assert.equal(row("desktop"), "Desktop22045 s2.1");
    assert.equal(row("none"), "Clicks only4030 s2.0");
    assert.equal(text(byTestId(sessions, "sessions-tablet")), "90");
  });
});

Deno.test("GET /products shows the windows, their CSV links, the watermark and rejections", async () => {
  await withApp(SAMPLE, async (app) => {
    const html = await page(app, "/products");
    assert.equal(text(byTestId(html, "products-watermark")), "2025-02-16 07:29:10");
    assert.equal(text(byTestId(html, "products-rejected-invalid")), "4");
    assert.equal(text(byTestId(html, "products-rejected-late")), "2");

    const closed = byTestId(html, "products-closed");
    assert.match(
      closed,
      /<a class="csv-link" href="\/export\/products\/products_2025-02-16_07-26-00\.csv" download="products_2025-02-16_07-26-00\.csv"/,
    );
    assert.match(
      text(closed),
      /2025-02-16 07:26:002025-02-16 07:28:00171,234,567\.501,456,789\.71/,
    );

    const open = byTestId(html, "products-open");
    assert.match(text(open), /2025-02-16 07:28:002025-02-16 07:30:005100\.00118\.00/);
  });
});

Deno.test("the dashboards say so when they have no data yet", async () => {
  await withApp(EMPTY, async (app) => {
    const sales = await page(app, "/sales");
    assert.equal(text(byTestId(sales, "kpi-revenue")), "0.00");
    assert.equal(text(byTestId(sales, "sales-table")), "No sales yet");
    assert.match(text(byTestId(sales, "sales-map")), /No sales yet/);
    assert.equal(text(byTestId(sales, "sales-donut")), "No sales yet");
    assert.equal(text(byTestId(sales, "sales-monthly")), "No sales yet");

    const clicks = await page(app, "/clicks");
    assert.match(text(byTestId(clicks, "clicks-rates")), /No events yet/);
    assert.equal(text(byTestId(clicks, "top-viewed")), "No views yet");
    assert.equal(text(byTestId(clicks, "top-clicked")), "No clicks yet");
    assert.equal(text(byTestId(clicks, "ratings-table")), "No ratings yet");
    assert.match(text(byTestId(clicks, "device-split")), /No views yet/);
    assert.match(text(clicks), /No session has ended yet/);
    assert.equal(text(byTestId(clicks, "sessions-mobile")), "0");

    const products = await page(app, "/products");
    assert.equal(text(byTestId(products, "products-watermark")), "none yet");
    assert.equal(text(byTestId(products, "products-open")), "No open window");
    assert.equal(text(byTestId(products, "products-closed")), "No closed window yet");
  });
});

Deno.test("every page links the four dashboards and the console, and its live badge follows the page's own stream", async () => {
  await withApp(SAMPLE, async (app) => {
    const streams = {
      "/": "users",
      "/sales": "sales",
      "/clicks": "clicks",
      "/products": "products",
    };
    for (const [path, stream] of Object.entries(streams)) {
      const html = await page(app, path);
      const nav = /<nav>(.*?)<\/nav>/s.exec(html)![1];
      assert.deepEqual(
        [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]),
        [
          ["/", "Users"],
          ["/sales", "Sales"],
          ["/clicks", "Clickstream"],
          ["/products", "Products"],
          ["/console", "Console"],
          ["/console/groups", "Groups"],
          ["/console/dead-letters", "Dead letters"],
        ],
      );
      assert.match(nav, new RegExp(`<a href="${path}" aria-current="page">`));
      assert.match(
        html,
        new RegExp(
          `<script type="application/json" data-island-props="LiveStatus">\\{"stream":"${stream}"\\}</script>`,
        ),
      );
      assert.match(byTestId(html, "live-status"), new RegExp(`data-stream="${stream}"`));
    }
  });
});

Deno.test("the world map's shapes are served by the app and are world-atlas's countries-110m", async () => {
  await withApp(SAMPLE, async (app) => {
    const res = await app.request("/geo/countries-110m.topojson");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), world, "static/geo/ holds an unchanged copy");
  });
});

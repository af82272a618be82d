/**
 * What each page's tables and charts export: the rows they show in the view
 * the URL states. The users table streams every matching stored user through
 * the store's cursor; the other tables are the rows of the view's snapshot
 * (tens of rows, already summed by the store).
 */

import type { RawStore } from "../pipeline/ports.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { CSV_COLUMNS, userCells } from "../pipeline/users/users_csv.ts";
import { SESSION_DEVICES } from "../pipeline/clickstream/sessions.ts";
import type {
  ClicksSnapshot,
  DashboardPages,
  ProductsSnapshot,
  SalesSnapshot,
  UsersSnapshot,
} from "./dashboards.ts";
import type { Cell, ExportColumn, ExportTable } from "./table_export.ts";
import { type PageView, WHOLE_VIEW } from "./page_filters.ts";
import { usersQuery } from "./users_data.ts";
import { HttpError } from "./http_error.ts";

/** What a page's exports read. */
export interface ExportSources {
  raw: RawStore;
  pages: DashboardPages;
  /** Clock, ms since the epoch (a preset time range ends now). */
  now: () => number;
}

/** Column names, typed: a `#` suffix marks a number column. */
function columns(...names: string[]): ExportColumn[] {
  return names.map((n) =>
    n.endsWith("#") ? { name: n.slice(0, -1), type: "number" } : { name: n, type: "text" }
  );
}

async function* each<T>(rows: readonly T[], cells: (row: T) => Cell[]): AsyncIterable<Cell[]> {
  for (const row of rows) yield cells(row);
}

/**
 * A table of a snapshot: its columns and how its rows come from the
 * snapshot, which is read before the download starts (so a failed read is an
 * error response, not a cut-off file).
 */
async function snapshotTable<S, T>(
  { read, columns: cols, rows, cells }: {
    read: () => Promise<S>;
    columns: ExportColumn[];
    rows: (snapshot: S) => T[];
    cells: (row: T) => Cell[];
  },
): Promise<ExportTable> {
  return { columns: cols, rows: each(rows(await read()), cells) };
}

const USER_NUMBER_COLUMNS = new Set(["age"]);

/** Every exportable table of each page, by page and table name, as the page names them in its links. */
export const PAGE_TABLES: Readonly<
  Record<
    string,
    Readonly<Record<string, (sources: ExportSources, view: PageView) => Promise<ExportTable>>>
  >
> = {
  users: {
    users: ({ raw, now }, view) =>
      Promise.resolve({
        columns: CSV_COLUMNS.map((name) => ({
          name,
          type: USER_NUMBER_COLUMNS.has(name) ? "number" : "text",
        })),
        rows: (async function* () {
          for await (const doc of raw.find(USERS.collection, usersQuery(view, now()))) {
            yield userCells(doc).map((cell, i) =>
              USER_NUMBER_COLUMNS.has(CSV_COLUMNS[i]) ? (cell === "" ? null : Number(cell)) : cell
            );
          }
        })(),
      }),
    gender: (sources, view) =>
      snapshotTable({
        read: () => readUsers(sources, view),
        columns: columns("gender", "users#"),
        rows: (s) => (["male", "female", "other"] as const).map((g) => [g, s.stats[g]] as const),
        cells: ([g, n]) => [g, n],
      }),
    counters: (sources, view) =>
      snapshotTable({
        read: () => readUsers(sources, view),
        columns: columns("total#", "male#", "female#", "other#", "rejected#"),
        rows: (s) => [s.stats],
        cells: (t) => [t.total, t.male, t.female, t.other, t.rejected],
      }),
  },
  sales: {
    kpi: (sources, view) =>
      snapshotTable({
        read: () => readSales(sources, view),
        columns: columns("revenue", "transactions#", "average_ticket"),
        rows: (s) => [s.kpi],
        cells: (k) => [k.revenueText, k.transactions, k.averageTicketText],
      }),
    products: (sources, view) =>
      snapshotTable({
        read: () => readSales(sources, view),
        columns: columns("product", "category", "revenue", "transactions#"),
        rows: (s) => s.byProduct,
        cells: (p) => [p.product, p.category, p.revenueText, p.transactions],
      }),
    cities: (sources, view) =>
      snapshotTable({
        read: () => readSales(sources, view),
        columns: columns("city", "country", "latitude#", "longitude#", "revenue", "transactions#"),
        rows: (s) => s.byCity,
        cells: (c) => [c.city, c.country, c.lat, c.lon, c.revenueText, c.transactions],
      }),
    months: (sources, view) =>
      snapshotTable({
        read: () => readSales(sources, view),
        columns: columns("month", "revenue", "transactions#"),
        rows: (s) => s.byMonth,
        cells: (m) => [m.month, m.revenueText, m.transactions],
      }),
  },
  clicks: {
    rates: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("second", "clicks#", "views#", "ratings#"),
        rows: (s) => s.rateSeries,
        cells: (p) => [new Date(p.t).toISOString(), p.clicks, p.views, p.ratings],
      }),
    totals: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("topic", "events#", "per_second#"),
        rows: (s) =>
          (["clicks", "views", "ratings"] as const).map((t) => [t, s.totals[t], s.rates[t]]),
        cells: (row) => [...row],
      }),
    viewed: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("item#", "views#"),
        rows: (s) => s.topViewed,
        cells: (r) => [r.item, r.views],
      }),
    clicked: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("item#", "clicks#"),
        rows: (s) => s.topClicked,
        cells: (r) => [r.item, r.clicks],
      }),
    ratings: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("item#", "average#", "ratings#"),
        rows: (s) => s.ratings,
        cells: (r) => [r.item, r.average, r.count],
      }),
    devices: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("device", "views#"),
        rows: (s) =>
          (["mobile", "desktop", "tablet"] as const).map((d) => [d, s.devices[d]] as const),
        cells: ([d, n]) => [d, n],
      }),
    sessions: (sources, view) =>
      snapshotTable({
        read: () => readClicks(sources, view),
        columns: columns("device", "sessions#", "mean_duration_ms#", "events_per_session#"),
        rows: (s) => SESSION_DEVICES.map((d) => [d, s.sessions[d]] as const),
        cells: ([d, f]) => [d, f.sessions, f.meanDurationMs, f.eventsPerSession],
      }),
  },
  products: {
    closed: (sources, view) =>
      snapshotTable({
        read: () => readProducts(sources, view),
        columns: columns("start", "end", "records#", "sum_price", "sum_total", "file"),
        rows: (s) => s.closed,
        cells: (w) => [w.start, w.end, w.records, w.sumPrice, w.sumTotal, w.file],
      }),
    open: (sources, view) =>
      snapshotTable({
        read: () => readProducts(sources, view),
        columns: columns("start", "end", "records#", "sum_price", "sum_total"),
        rows: (s) => s.open,
        cells: (w) => [w.start, w.end, w.records, w.sumPrice, w.sumTotal],
      }),
  },
};

/** What each table is called on its page, in page order (the export links' labels). */
export const TABLE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  users: { counters: "Counters", gender: "Gender split", users: "Users (every match)" },
  sales: {
    kpi: "KPIs",
    cities: "Sales by location",
    products: "Revenue by product",
    months: "Revenue by month",
  },
  clicks: {
    totals: "Totals and rates",
    rates: "Events per second",
    devices: "Views by device",
    viewed: "Most viewed",
    clicked: "Most clicked",
    ratings: "Ratings",
    sessions: "Sessions",
  },
  products: { open: "Open windows", closed: "Closed windows" },
};

function readView<S>(
  page: { read(): Promise<S>; readView?(view: PageView): Promise<S> },
  view: PageView,
) {
  return view === WHOLE_VIEW || !page.readView ? page.read() : page.readView(view);
}
const readUsers = ({ pages }: ExportSources, view: PageView): Promise<UsersSnapshot> =>
  readView(pages.users, view);
const readSales = ({ pages }: ExportSources, view: PageView): Promise<SalesSnapshot> =>
  readView(pages.sales, view);
const readClicks = ({ pages }: ExportSources, view: PageView): Promise<ClicksSnapshot> =>
  readView(pages.clicks, view);
const readProducts = ({ pages }: ExportSources, view: PageView): Promise<ProductsSnapshot> =>
  readView(pages.products, view);

/**
 * The table `table` of page `page` in `view`.
 *
 * @throws {HttpError} 404 naming the tables there are when the page has no such table.
 */
export function pageTable(
  sources: ExportSources,
  target: { page: string; table: string; view: PageView },
): Promise<ExportTable> {
  const tables = Object.hasOwn(PAGE_TABLES, target.page) ? PAGE_TABLES[target.page] : undefined;
  if (!tables) {
    throw new HttpError(
      404,
      `the ${target.page} page has no exports; pages with exports: ${
        Object.keys(PAGE_TABLES).join(", ")
      }`,
    );
  }
  if (!Object.hasOwn(tables, target.table)) {
    throw new HttpError(
      404,
      `the ${target.page} page has no table "${target.table.slice(0, 40)}"; it has ${
        Object.keys(tables).join(", ")
      }`,
    );
  }
  return tables[target.table](sources, target.view);
}

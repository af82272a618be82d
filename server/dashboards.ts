/**
 * What the pages show and how each is kept live. Every page (users, sales,
 * clickstream, products) is rendered first from its snapshot and then pushed
 * whole over SSE (`/api/stream/<page>`, events `snapshot` and `update`, both
 * carrying the page's snapshot); `GET /api/pages/<page>` answers the same
 * snapshot as JSON. Each snapshot is small (tens of rows), so a whole one per
 * update keeps the browser's state simple and never partial.
 */

import type { JsonObject } from "../pipeline/ports.ts";
import type { PageView } from "./page_filters.ts";
import type { GenderStats, UserSummary } from "../pipeline/users/randomuser.ts";
import type { SessionDevice, SessionFigures } from "../pipeline/clickstream/sessions.ts";

/**
 * How one page is kept live, as data: the live topics whose announcements
 * change it and how its snapshot is read through the ports. The live feed,
 * the hubs and the routes know pages only through this.
 */
export interface LivePage<S = unknown> {
  /** Live topics (what processors announce after their stores acknowledged) the page follows. */
  liveTopics: readonly string[];
  /** The page's current snapshot. */
  read(): Promise<S>;
  /**
   * The page's current snapshot narrowed to a view (time range and filters,
   * see `server/page_filters.ts`); absent on pages that have no filters.
   */
  readView?(view: PageView): Promise<S>;
}

/** Pages by their path segment (`/api/stream/<page>`, `/api/pages/<page>`). */
export type Pages = Readonly<Record<string, LivePage>>;

/** The snapshot of each page StreamBoard ships. */
export interface DashboardSnapshots {
  users: UsersSnapshot;
  sales: SalesSnapshot;
  clicks: ClicksSnapshot;
  products: ProductsSnapshot;
}

/** One of the pages StreamBoard ships. */
export type Dashboard = keyof DashboardSnapshots;

/** The pages StreamBoard ships, each typed with its snapshot; a registry may add more. */
export type DashboardPages = { readonly [D in Dashboard]: LivePage<DashboardSnapshots[D]> };

/** What a page a stream module adds (one StreamBoard does not ship a view of) shows of each stream. */
export interface StreamView {
  stream: string;
  /** The stream's heading on its page. */
  title: string;
  /** Stored documents, newest first (at most `NEWEST_DOCUMENTS` of `server/pages.ts`). */
  newest: JsonObject[];
  /** Each partition's read model, as the processor wrote it beside its checkpoint. */
  readModels: Array<{ partition: number; model: JsonObject }>;
  rejected: Rejections;
}

/** The snapshot of a page a stream module adds: its streams' generic views. */
export interface StreamPageSnapshot {
  streams: StreamView[];
}

/** Gender counters plus how many records were dead-lettered. */
export interface UserStats extends GenderStats {
  rejected: number;
}

/** The users page. */
export interface UsersSnapshot {
  stats: UserStats;
  /** The newest users, newest first (at most `NEWEST_USERS` of `server/users_data.ts`). */
  users: UserSummary[];
}

/** Records a stream refused (all kept in its dead-letter topic). */
export interface Rejections {
  /** Records that failed validation or were too large to parse. */
  invalid: number;
  /** Records later than the watermark. */
  late: number;
  /** Records that made our code throw (`processing-error`): a bug to report. */
  processingError: number;
  /** Records whose event id an earlier record already carried (`duplicate`). */
  duplicate: number;
}

/**
 * Revenue and transactions of one group of sales. Revenue is exact decimal
 * text in currency units (`"1234.56"`), which is what the page shows; the
 * number beside it is for charts and bubble sizes only, and rounds once the
 * sum passes 2^53 cents.
 */
export interface SalesFigures {
  revenueText: string;
  /** `revenueText` as a number, inexact past 2^53 cents. */
  revenue: number;
  transactions: number;
}

/** The sales page. */
export interface SalesSnapshot {
  /** `averageTicketText` is exact, rounded half up to the cent; `averageTicket` is its number. */
  kpi: SalesFigures & { averageTicket: number; averageTicketText: string };
  /** Highest revenue first. */
  byProduct: Array<SalesFigures & { product: string; category: string }>;
  /** Sales locations with where they are, highest revenue first. */
  byCity: Array<SalesFigures & { city: string; country: string; lat: number; lon: number }>;
  /** Oldest month first, `YYYY-MM`. */
  byMonth: Array<SalesFigures & { month: string }>;
  rejected: Rejections;
}

/** Counts per clickstream topic. */
export interface PerTopic {
  clicks: number;
  views: number;
  ratings: number;
}

/** The clickstream page. */
export interface ClicksSnapshot {
  /** Events per second over the last closed rate window, per topic. */
  rates: PerTopic;
  /**
   * Events of each of the 60 seconds up to the newest one the watermark has
   * passed, oldest first (`t` = second start, ms).
   */
  rateSeries: Array<PerTopic & { t: number }>;
  totals: PerTopic;
  /** Most viewed items, most first (at most 10). */
  topViewed: Array<{ item: number; views: number }>;
  /** Most clicked items, most first (at most 10). */
  topClicked: Array<{ item: number; clicks: number }>;
  /** Items with the most ratings and their average (1-5), most rated first (at most 10). */
  ratings: Array<{ item: number; average: number; count: number }>;
  /** Views per device type. */
  devices: { mobile: number; desktop: number; tablet: number };
  /**
   * Ended sessions (clicks and views of a user with less than the session gap
   * between them) per device they were mostly viewed from; `none`: clicks only.
   */
  sessions: Record<SessionDevice, SessionFigures>;
  rejected: { clicks: Rejections; views: Rejections; ratings: Rejections };
}

/** A two-minute window of the products VAT job. */
export interface ProductWindow {
  /** Window bounds, zone-less UTC as the records carry them (`2025-02-16 07:28:00`). */
  start: string;
  end: string;
  records: number;
  /** Sums as exact decimal text, two places. */
  sumPrice: string;
  sumTotal: string;
}

/** A closed window and its CSV file. */
export interface ClosedProductWindow extends ProductWindow {
  /** File name under `<data dir>/csv/`. */
  file: string;
  /** Where the dashboard serves it. */
  url: string;
}

/** The products page. */
export interface ProductsSnapshot {
  /** Newest first (at most 20). */
  closed: ClosedProductWindow[];
  /** Windows still open, with their running sums, oldest first. */
  open: ProductWindow[];
  /** Event-time watermark, zone-less UTC; `null` before the first record. */
  watermark: string | null;
  rejected: Rejections;
}

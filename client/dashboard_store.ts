/**
 * The browser's live state of every page (users, sales, clickstream,
 * products). Per page, one `EventSource` on `/api/stream/<page>` shared by every
 * island of the page; its `snapshot` (on connect and resync) and `update`
 * events each carry the whole snapshot, which replaces a signal the islands
 * render. Until the first event arrives each island shows the part of the
 * snapshot the server rendered into its props (`useDashboard`'s `initial`),
 * so the page has data before the stream connects and no island's props
 * repeat the whole snapshot.
 *
 * The `latency` event that follows each update feeds the figures beside the
 * Live dot: produce-to-stored as the server measured it over the last
 * minute, and produce-to-browser measured here, from the broker timestamps
 * of the events the update carried to the moment it arrived. The browser's
 * clock may be set differently from the server's: the store corrects it by
 * `ClockOffset` (the smallest received − sent seen), so a wrong clock never
 * shows as latency; the quickest network transit is not counted.
 *
 * Paused (`pause()`), the store keeps receiving but publishes nothing: the
 * newest snapshot and latency wait, `waiting` counts the updates held, and
 * `resume()` applies them all at once. The connection state is never held,
 * so a paused page still shows whether it is live.
 */

import { type Signal, signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Dashboard, DashboardSnapshots } from "../server/dashboards.ts";
import type { LatencyEvent } from "../server/live_feed.ts";
import { ClockOffset, type LatencyFigures, LatencyWindow } from "./latency_window.ts";
import type { Degraded } from "../server/last_known.ts";

/** The latency figures a page shows over the last minute, ms; `null` before any. */
export interface PageLatency {
  /** Record produced → stored by the processor (the server's figures). */
  stored: LatencyFigures | null;
  /** Record produced → its update arrived in this browser. */
  browser: LatencyFigures | null;
}

/**
 * State of a live connection: `offline` when the browser gave up (the server
 * answered with an error instead of a stream; it does not retry then).
 */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** SSE events that carry a whole snapshot. */
export const SNAPSHOT_EVENTS = ["snapshot", "update"] as const;

/** `EventSource.CLOSED`: the browser will not reconnect by itself. */
const CLOSED = 2;

/** What the store uses of an `EventSource` (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
}

/** The SSE path of a page (a dashboard or a console page). */
export function streamUrl(page: string): string {
  return `/api/stream/${page}`;
}

/** Runs `show` when the page draws its next frame. */
export type NextFrame = (show: () => void) => void;

/** What a live store needs besides its page and event source. */
export interface LiveStoreOptions {
  /** The browser's clock, ms; `Date.now` by default. */
  now?: () => number;
  /**
   * When what arrived is shown: before the next frame (`requestAnimationFrame`)
   * in a page, at once where there are no frames.
   */
  nextFrame?: NextFrame;
  /** Least time between two snapshots shown, ms (`DRAW_GAP_MS` by default; 0 shows one every frame). */
  drawGapMs?: number;
}

/**
 * Least time between two snapshots a page shows, ms: at most 30 a second.
 * The server sends a page up to 50 updates a second at light load (its
 * latency stays low that way), and drawing each took the users page's
 * renderer 39–42 % of a core at 50 users/s (its style, layout and paint, not
 * its scripts: 31 % against 10 % in a profile). No eye follows a table of
 * users faster; what arrives in between is shown at the next draw, and the
 * latency figures still count when each update arrived.
 */
export const DRAW_GAP_MS = 33;

/** `requestAnimationFrame` where the runtime draws frames, else at once. */
function defaultNextFrame(): NextFrame {
  return typeof requestAnimationFrame === "function"
    ? (show) => requestAnimationFrame(() => show())
    : (show) => show();
}

/**
 * One page's live snapshot and connection, fed by one event source. Each
 * event carries a whole snapshot, so only the newest one that arrived before
 * a frame is parsed and shown: however fast updates come, a page does at
 * most one render per frame and per `DRAW_GAP_MS`, and never falls behind (a
 * hidden tab, which draws no frames, keeps just the newest).
 */
export class LiveStore<S> {
  /** The newest snapshot received; `null` before the first event. */
  readonly snapshot: Signal<S | null> = signal(null);
  /** State of the stream. */
  readonly connection: Signal<ConnectionState> = signal("connecting");
  /** Latency over the last minute; `null` before the first `latency` event. */
  readonly latency: Signal<PageLatency | null> = signal(null);
  /** Whether updates are held back instead of shown. */
  readonly paused: Signal<boolean> = signal(false);
  /** Updates received while paused, not shown yet. */
  readonly waiting: Signal<number> = signal(0);
  /** The server that is down while the page shows its last known snapshot; `null` when fresh. */
  readonly degraded: Signal<Degraded | null> = signal(null);
  /** The servers the server named down when it sent the last snapshot (empty when all answer). */
  readonly down: Signal<string[]> = signal([]);
  readonly #name: string;
  readonly #open: (url: string) => EventSourceLike;
  readonly #now: () => number;
  readonly #nextFrame: NextFrame;
  readonly #drawGapMs: number;
  /** When the last snapshot was shown (`now`), ms. */
  #shownAt = -Infinity;
  /** The newest snapshot event not shown yet, as it arrived. */
  #arrived: { type: string; data: unknown } | undefined;
  readonly #browser = new LatencyWindow();
  readonly #offset = new ClockOffset();
  #source: EventSourceLike | undefined;
  /** The newest snapshot and latency received while paused. */
  #held: { snapshot?: S; latency?: PageLatency } = {};

  /** `open` creates the event source (`(url) => new EventSource(url)` in the browser). */
  constructor(
    name: string,
    open: (url: string) => EventSourceLike,
    { now = Date.now, nextFrame = defaultNextFrame(), drawGapMs = DRAW_GAP_MS }: LiveStoreOptions =
      {},
  ) {
    this.#name = name;
    this.#open = open;
    this.#now = now;
    this.#nextFrame = nextFrame;
    this.#drawGapMs = drawGapMs;
  }

  /** Opens the stream once; later calls do nothing. */
  connect(): void {
    if (this.#source) return;
    const source = this.#open(streamUrl(this.#name));
    this.#source = source;
    source.addEventListener("open", () => (this.connection.value = "live"));
    source.addEventListener("error", () => {
      this.connection.value = source.readyState === CLOSED ? "offline" : "reconnecting";
    });
    for (const type of SNAPSHOT_EVENTS) {
      source.addEventListener(type, (event) => this.#receive(type, event));
    }
    source.addEventListener("latency", (event) => this.#latency(event));
  }

  /** Closes the stream. */
  close(): void {
    this.#source?.close();
    this.#source = undefined;
  }

  /** Holds every later update back until `resume`. */
  pause(): void {
    this.paused.value = true;
  }

  /** Shows the newest snapshot and latency held while paused, at once, and follows live again. */
  resume(): void {
    const held = this.#held;
    this.#held = {};
    if (held.snapshot !== undefined) this.snapshot.value = held.snapshot;
    if (held.latency !== undefined) this.latency.value = held.latency;
    this.waiting.value = 0;
    this.paused.value = false;
  }

  /** `pause` when live, `resume` when paused. */
  togglePause(): void {
    if (this.paused.peek()) this.resume();
    else this.pause();
  }

  #receive(type: string, event: Event): void {
    if (this.paused.peek()) this.waiting.value += 1;
    const waiting = this.#arrived !== undefined;
    this.#arrived = { type, data: (event as MessageEvent<unknown>).data };
    if (!waiting) this.#nextFrame(() => this.#show());
  }

  #show(): void {
    if (!this.#arrived) return;
    const now = this.#now();
    const wait = this.#shownAt + this.#drawGapMs - now;
    if (wait > 0) {
      // Too soon after the last one: the newest arrival waits for the first frame after the gap.
      setTimeout(() => this.#nextFrame(() => this.#show()), wait);
      return;
    }
    this.#shownAt = now;
    const arrived = this.#arrived;
    this.#arrived = undefined;
    const { type, data } = arrived;
    try {
      const snapshot: unknown = JSON.parse(String(data));
      // Which server is down belongs to the connection state, shown even while paused.
      this.degraded.value = degradedOf(snapshot);
      this.down.value = downOf(snapshot);
      if (this.paused.peek()) {
        // Each event carries the whole snapshot, so the newest one holds every update before it.
        this.#held.snapshot = snapshot as S;
      } else {
        this.snapshot.value = snapshot as S;
      }
    } catch (error) {
      // One bad frame must not stop the page; the next update replaces the whole snapshot anyway.
      console.error(`${streamUrl(this.#name)}: cannot parse the ${type} event: ${error}`);
    }
  }

  #latency(event: Event): void {
    const receivedAt = this.#now();
    let latency: LatencyEvent;
    try {
      latency = JSON.parse(String((event as MessageEvent<unknown>).data)) as LatencyEvent;
    } catch (error) {
      console.error(`${streamUrl(this.#name)}: cannot parse the latency event: ${error}`);
      return;
    }
    this.#offset.observe(latency.sentAt, receivedAt);
    // On the server's clock: when the update arrived, less the quickest transit.
    const arrived = receivedAt - this.#offset.ms;
    this.#browser.add(latency.produced.map((t) => Math.max(0, arrived - t)), receivedAt);
    const figures = { stored: latency.stored, browser: this.#browser.figures(receivedAt) };
    if (this.paused.peek()) this.#held.latency = figures;
    else this.latency.value = figures;
  }
}

/** The `degraded` field of a snapshot the server served from what it last knew, else `null`. */
function degradedOf(snapshot: unknown): Degraded | null {
  if (typeof snapshot !== "object" || snapshot === null || !("degraded" in snapshot)) return null;
  const { degraded } = snapshot;
  if (typeof degraded !== "object" || degraded === null) return null;
  const { server, since, error } = degraded as Record<string, unknown>;
  return typeof server === "string" && typeof since === "number"
    ? { server, since, error: typeof error === "string" ? error : "" }
    : null;
}

/** The `down` field of a snapshot: the servers that did not answer when it was served. */
function downOf(snapshot: unknown): string[] {
  if (typeof snapshot !== "object" || snapshot === null || !("down" in snapshot)) return [];
  const { down } = snapshot;
  return Array.isArray(down) ? down.filter((s): s is string => typeof s === "string") : [];
}

/** The live store of a dashboard, typed with its snapshot. */
export class DashboardStore<D extends Dashboard> extends LiveStore<DashboardSnapshots[D]> {
  constructor(name: D, open: (url: string) => EventSourceLike, options: LiveStoreOptions = {}) {
    super(name, open, options);
  }
}

const stores = new Map<string, LiveStore<unknown>>();

/** The path of each dashboard whose URL query is its view (time range and filters). */
const VIEW_PATHS: ReadonlyMap<string, string> = new Map([
  ["users", "/"],
  ["sales", "/sales"],
  ["clicks", "/clicks"],
  ["products", "/products"],
]);

/**
 * The query a page's stream is opened with: the URL's `search` on that
 * page's own dashboard, none elsewhere (a console page whose header follows
 * the users stream has a query of its own, not a view of the users page).
 */
export function streamSearch(page: string, at: { pathname: string; search: string }): string {
  return VIEW_PATHS.get(page) === at.pathname ? at.search : "";
}

/** The page's store of a live page (one per page, shared by its islands); `S` is its snapshot. */
export function liveStore<S>(page: string): LiveStore<S> {
  let store = stores.get(page);
  if (!store) {
    store = new LiveStore<unknown>(
      page,
      (url) =>
        new EventSource(
          url + streamSearch(page, globalThis.location ?? { pathname: "", search: "" }),
        ),
    );
    stores.set(page, store);
  }
  return store as LiveStore<S>;
}

/** The page's store of a dashboard. */
export function dashboardStore<D extends Dashboard>(name: D): LiveStore<DashboardSnapshots[D]> {
  return liveStore(name);
}

/** Opens the shared stream of a live page; does nothing outside a browser or when already open. */
export function connectLive<S>(page: string): LiveStore<S> {
  const store = liveStore<S>(page);
  if (typeof EventSource !== "undefined") store.connect();
  return store;
}

/** Opens the shared stream of a dashboard. */
export function connectDashboard<D extends Dashboard>(name: D): LiveStore<DashboardSnapshots[D]> {
  return connectLive(name);
}

/** `useDashboard` for any live page, `S` being its snapshot (a console page, say). */
export function useLivePage<S, T>(page: string, initial: T, select: (snapshot: S) => T): T {
  useEffect(() => {
    connectLive(page);
  }, [page]);
  const snapshot = liveStore<S>(page).snapshot.value;
  return snapshot === null ? initial : select(snapshot);
}

/**
 * An island's live view of part of a dashboard: `select` of the newest
 * snapshot, or `initial` (its server-rendered props) before the first one.
 * Connects the shared stream once the island runs in the browser.
 *
 * @example
 * ```tsx
 * const rows = useDashboard("sales", initial, (s) => s.byProduct);
 * ```
 */
export function useDashboard<D extends Dashboard, T>(
  name: D,
  initial: T,
  select: (snapshot: DashboardSnapshots[D]) => T,
): T {
  return useLivePage(name, initial, select);
}

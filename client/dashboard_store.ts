/**
 * The browser's live state of every page (users, sales, clickstream,
 * products). Per page, one `EventSource` on `/api/stream/<page>` shared by every
 * island of the page; its `snapshot` (on connect and resync) and `update`
 * events each carry the whole snapshot, which replaces a signal the islands
 * render. Until the first event arrives each island shows the part of the
 * snapshot the server rendered into its props (`useDashboard`'s `initial`),
 * so the page has data before the stream connects and no island's props
 * repeat the whole snapshot.
 */

import { type Signal, signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Dashboard, DashboardSnapshots } from "../server/dashboards.ts";

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

/** One page's live snapshot and connection, fed by one event source. */
export class LiveStore<S> {
  /** The newest snapshot received; `null` before the first event. */
  readonly snapshot: Signal<S | null> = signal(null);
  /** State of the stream. */
  readonly connection: Signal<ConnectionState> = signal("connecting");
  readonly #name: string;
  readonly #open: (url: string) => EventSourceLike;
  #source: EventSourceLike | undefined;

  /** `open` creates the event source (`(url) => new EventSource(url)` in the browser). */
  constructor(name: string, open: (url: string) => EventSourceLike) {
    this.#name = name;
    this.#open = open;
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
  }

  /** Closes the stream. */
  close(): void {
    this.#source?.close();
    this.#source = undefined;
  }

  #receive(type: string, event: Event): void {
    const data = (event as MessageEvent<unknown>).data;
    try {
      this.snapshot.value = JSON.parse(String(data)) as S;
    } catch (error) {
      // One bad frame must not stop the page; the next update replaces the whole snapshot anyway.
      console.error(`${streamUrl(this.#name)}: cannot parse the ${type} event: ${error}`);
    }
  }
}

/** The live store of a dashboard, typed with its snapshot. */
export class DashboardStore<D extends Dashboard> extends LiveStore<DashboardSnapshots[D]> {
  constructor(name: D, open: (url: string) => EventSourceLike) {
    super(name, open);
  }
}

const stores = new Map<string, LiveStore<unknown>>();

/** The page's store of a live page (one per page, shared by its islands); `S` is its snapshot. */
export function liveStore<S>(page: string): LiveStore<S> {
  let store = stores.get(page);
  if (!store) {
    store = new LiveStore<unknown>(page, (url) => new EventSource(url));
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

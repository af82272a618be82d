/**
 * The fan-out of one page's live events to every SSE viewer of it.
 *
 * Events get ids `<epoch>-<seq>`; the last `replay` events are kept so a
 * browser that reconnects with `Last-Event-ID` receives exactly what it
 * missed. A viewer that cannot keep up (its queue of `clientBuffer` chunks
 * fills) or whose id is too old or from an earlier server run is sent a fresh
 * snapshot instead, so nobody ever shows a state with holes in it.
 *
 * Each publish is framed and encoded once: every viewer's queue holds the
 * same bytes, so ten thousand viewers cost ten thousand references, not ten
 * thousand copies, and a viewer's queue is bounded by its length.
 */

/** One server-sent event. */
export interface LiveEvent {
  id: string;
  event: string;
  /** JSON text on one line. */
  data: string;
}

/** An event to publish: its name and the value its data is the JSON of. */
export interface NewEvent {
  event: string;
  data: unknown;
}

/** How long `LiveHub.delivered` waits for viewers that are behind. */
export interface DeliveryWait {
  /** Share of the viewers that may stay behind. */
  share: number;
  /** Viewers that may stay behind, when more than the share. */
  allowed: number;
  /** Longest wait, ms. */
  maxWaitMs: number;
  signal: AbortSignal;
}

/** Sizes of the hub's buffers. */
export interface LiveHubOptions {
  /** Events kept for reconnecting viewers. */
  replay: number;
  /** Chunks (publishes) queued per viewer before it is resynchronised. */
  clientBuffer: number;
  /** The current state, sent as a `snapshot` event to a viewer that needs a full picture. */
  snapshot(): Promise<unknown>;
}

/**
 * How long a snapshot read for one viewer is sent to others connecting at the
 * same event id, ms: a crowd arriving at once (a reload of every tab, a
 * server restart) costs one read, not one per viewer, and figures that age
 * with the clock are at most this old.
 */
const SNAPSHOT_REUSE_MS = 1000;

const encoder = new TextEncoder();

/** Formats an event as an SSE frame. */
export function frame(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`;
}

/** What a viewer tells its hub. */
interface ClientEvents {
  /** It closed. */
  closed(client: LiveClient): void;
  /** It took the update its hub waits for it to take. */
  took(): void;
}

/** A connected viewer's queue of encoded chunks, shared with every other viewer. */
export class LiveClient {
  readonly #max: number;
  readonly #events: ClientEvents;
  #chunks: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  /** Whether a chunk was queued since the last `ping`. */
  #busy = false;
  /** True when the viewer must be sent a snapshot before further events. */
  needsSnapshot: boolean;
  closed = false;
  /** Whether its hub waits for it to take the newest update (`LiveHub.delivered`). */
  awaited = false;
  /** It took the awaited update; its hub is told when it comes back for more. */
  #tookAwaited = false;

  constructor(max: number, needsSnapshot: boolean, events: ClientEvents) {
    this.#max = max;
    this.needsSnapshot = needsSnapshot;
    this.#events = events;
  }

  /**
   * Queues a chunk; a full queue is dropped and replaced by a snapshot. True
   * when the viewer had taken everything before it and handed it on: it
   * keeps up, and with `awaited` its hub then waits for it to take this one.
   */
  push(chunk: Uint8Array, awaited = false): boolean {
    if (this.closed) return false;
    this.#busy = true;
    // One that has not handed on the update before is behind, and is no longer waited for.
    const keepsUp = this.#chunks.length === 0 && !this.needsSnapshot && !this.#tookAwaited;
    this.#tookAwaited = false;
    this.awaited = awaited && keepsUp;
    if (this.#chunks.length >= this.#max) {
      this.drain();
      this.needsSnapshot = true;
    } else {
      this.#chunks.push(chunk);
    }
    this.#wake?.();
    return keepsUp;
  }

  /**
   * Takes the queued chunks, waiting for some when there are none (`[]` when
   * woken for a snapshot); `null` once closed. Calling it again says the
   * chunks taken before are handed on (a socket accepted them, a reader read
   * them): only then has the viewer taken an update its hub waits for, so
   * `LiveHub.delivered` follows the writes, not the queues. One promise per
   * wait, none per chunk: ten thousand viewers call it for every update.
   */
  take(): Promise<Uint8Array[] | null> {
    this.#handedOn();
    if (this.#chunks.length > 0 || this.needsSnapshot || this.closed) {
      return Promise.resolve(this.closed ? null : this.drain());
    }
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve(this.closed ? null : this.drain());
      };
    });
  }

  /** The queued chunks, at once. */
  drain(): Uint8Array[] {
    const out = this.#chunks;
    this.#chunks = [];
    if (out.length > 0 && this.awaited) {
      this.awaited = false;
      this.#tookAwaited = true;
    }
    return out;
  }

  #handedOn(): void {
    if (!this.#tookAwaited) return;
    this.#tookAwaited = false;
    this.#events.took();
  }

  /**
   * Queues `heartbeat` when nothing was queued since the previous call: one
   * timer per viewer for the stream's life, not one per chunk.
   */
  ping(heartbeat: Uint8Array): void {
    if (!this.#busy && !this.closed && !this.needsSnapshot && this.#chunks.length === 0) {
      this.#chunks.push(heartbeat);
      this.#wake?.();
    }
    this.#busy = false;
  }

  /** Stops the viewer's stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.needsSnapshot = false;
    this.drain();
    // A viewer that left is not waited for.
    this.#handedOn();
    this.#wake?.();
    this.#events.closed(this);
  }
}

/** An event kept for replay, with its frame's bytes (a view into the chunk it was published in). */
interface Kept {
  event: LiveEvent;
  seq: number;
  bytes: Uint8Array;
}

/** The sequence number of an event id `<epoch>-<seq>`. */
function seqOf(id: string): number {
  return Number(id.slice(id.lastIndexOf("-") + 1));
}

/** The shared fan-out of one page. */
export class LiveHub {
  readonly #options: LiveHubOptions;
  readonly #epoch = Date.now().toString(36);
  readonly #ring: Kept[] = [];
  readonly #clients = new Set<LiveClient>();
  /**
   * Viewers that kept up until the newest update and have not taken it yet:
   * the ones `delivered` waits for. A viewer already behind when an update
   * came (a slow or stuck connection) is not waited for again, so a few
   * connections that never read cannot slow every update down.
   */
  #behind = 0;
  /** Waits of `delivered`, each woken when `#behind` falls to what it allows. */
  readonly #caughtUp = new Set<{ done: () => boolean; wake: () => void }>();
  readonly #clientEvents: ClientEvents = {
    closed: (client) => this.#clients.delete(client),
    took: () => {
      this.#behind--;
      for (const waiter of this.#caughtUp) if (waiter.done()) waiter.wake();
    },
  };
  #seq = 0;
  #closed = false;
  #encodings = 0;
  #snapshot: { seq: number; at: number; bytes: Promise<Uint8Array> } | undefined;

  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  /** Viewers connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Viewers that kept up until the newest update and have not taken it yet. */
  get behind(): number {
    return this.#behind;
  }

  /**
   * Resolves once at most `share` of the viewers, or `allowed` if more, are
   * behind (kept up until the newest update and have not taken it), or after
   * `maxWaitMs`, or when `signal` aborts. Publishing only then keeps updates
   * to what the connections deliver: with ten thousand viewers every update
   * reaches every viewer, and the updates come less often, instead of
   * queueing faster than the sockets take them.
   */
  async delivered(options: DeliveryWait): Promise<void> {
    const done = () =>
      this.#behind <= Math.max(options.allowed, this.#clients.size * options.share) ||
      options.signal.aborted;
    if (done()) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    const waiter = { done, wake: resolve };
    this.#caughtUp.add(waiter);
    const timer = setTimeout(resolve, options.maxWaitMs);
    const abort = () => resolve();
    options.signal.addEventListener("abort", abort, { once: true });
    try {
      await promise;
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener("abort", abort);
      this.#caughtUp.delete(waiter);
    }
  }

  /** Chunks encoded so far (publishes and snapshots), whatever the number of viewers. */
  get encodings(): number {
    return this.#encodings;
  }

  /** Id of the newest event, the position a snapshot stands for. */
  get lastId(): string {
    return `${this.#epoch}-${this.#seq}`;
  }

  /** Sends an event to every viewer. */
  publish(event: string, data: unknown): LiveEvent {
    return this.publishAll([{ event, data }])[0];
  }

  /**
   * Sends events to every viewer as one chunk, encoded once: a viewer gets
   * all of them or (resynchronised) none.
   */
  publishAll(events: readonly NewEvent[]): LiveEvent[] {
    const live = events.map(({ event, data }) => ({
      id: `${this.#epoch}-${++this.#seq}`,
      event,
      data: JSON.stringify(data),
    }));
    const parts = live.map((event) => encoder.encode(frame(event)));
    const chunk = this.#join(parts);
    let at = 0;
    live.forEach((event, i) => {
      const length = parts[i].length;
      this.#ring.push({ event, seq: seqOf(event.id), bytes: chunk.subarray(at, at + length) });
      at += length;
    });
    if (this.#ring.length > this.#options.replay) {
      this.#ring.splice(0, this.#ring.length - this.#options.replay);
    }
    this.#behind = 0;
    for (const client of this.#clients) {
      // Not waited for what came before (an overflowing queue is dropped without a count).
      if (client.push(chunk, true)) this.#behind++;
    }
    return live;
  }

  /**
   * Records that the state changed with no event to say how (nobody watched,
   * so nobody read it): a viewer resuming from any earlier id is sent a
   * snapshot rather than told it missed nothing.
   */
  markChanged(): void {
    this.#seq++;
    this.#ring.length = 0;
  }

  /**
   * Connects a viewer. With a `lastEventId` still in the replay buffer it
   * receives the events after it; otherwise it starts with a snapshot. A
   * viewer of a closed hub (a browser reconnecting while the server stops) is
   * closed at once, so its stream ends rather than holding the server open.
   */
  connect(lastEventId?: string | null): LiveClient {
    const missed = this.#missedSince(lastEventId);
    const client = new LiveClient(
      this.#options.clientBuffer,
      missed === undefined,
      this.#clientEvents,
    );
    if (this.#closed) {
      client.close();
      return client;
    }
    for (const kept of missed ?? []) client.push(kept.bytes);
    this.#clients.add(client);
    return client;
  }

  /**
   * The snapshot as a `snapshot` frame carrying the id of the newest event it
   * covers; viewers asking at the same id within a second share one read.
   */
  snapshotFrame(): Promise<Uint8Array> {
    const cached = this.#snapshot;
    const now = performance.now();
    if (cached && cached.seq === this.#seq && now - cached.at < SNAPSHOT_REUSE_MS) {
      return cached.bytes;
    }
    const id = this.lastId;
    const bytes = this.#options.snapshot().then((data) =>
      this.#encode(frame({ id, event: "snapshot", data: JSON.stringify(data) }))
    );
    const entry = { seq: this.#seq, at: now, bytes };
    this.#snapshot = entry;
    // A failed read is not shared with later viewers: the next one reads again.
    bytes.catch(() => {
      if (this.#snapshot === entry) this.#snapshot = undefined;
    });
    return bytes;
  }

  /** Closes every viewer's stream and any that connects later (before the server shuts down). */
  close(): void {
    this.#closed = true;
    for (const client of [...this.#clients]) client.close();
  }

  #encode(text: string): Uint8Array {
    this.#encodings++;
    return encoder.encode(text);
  }

  /** The frames of one publish as one chunk (counted as one encoding). */
  #join(parts: Uint8Array[]): Uint8Array {
    this.#encodings++;
    if (parts.length === 1) return parts[0];
    const chunk = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      chunk.set(part, at);
      at += part.length;
    }
    return chunk;
  }

  #missedSince(lastEventId?: string | null): Kept[] | undefined {
    if (!lastEventId) return undefined;
    const [epoch, seqText] = lastEventId.split("-");
    const seq = Number(seqText);
    if (epoch !== this.#epoch || !Number.isInteger(seq) || seq > this.#seq) return undefined;
    if (seq === this.#seq) return [];
    const oldest = this.#ring[0]?.seq ?? Infinity;
    if (seq + 1 < oldest) return undefined;
    return this.#ring.filter((kept) => kept.seq > seq);
  }
}

/**
 * The fan-out of one page's live events to every SSE viewer of it.
 *
 * Events get ids `<epoch>-<seq>`; the last `replay` events are kept so a
 * browser that reconnects with `Last-Event-ID` receives exactly what it
 * missed. A viewer that cannot keep up (its buffer of `clientBuffer` frames
 * fills) or whose id is too old or from an earlier server run is sent a fresh
 * snapshot instead, so nobody ever shows a state with holes in it.
 */

/** One server-sent event. */
export interface LiveEvent {
  id: string;
  event: string;
  /** JSON text on one line. */
  data: string;
}

/** Sizes of the hub's buffers. */
export interface LiveHubOptions {
  /** Events kept for reconnecting viewers. */
  replay: number;
  /** Frames buffered per viewer before it is resynchronised. */
  clientBuffer: number;
  /** The current state, sent as a `snapshot` event to a viewer that needs a full picture. */
  snapshot(): Promise<unknown>;
}

/** Formats an event as an SSE frame. */
export function frame(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`;
}

/** A connected viewer's queue. */
export class LiveClient {
  readonly #max: number;
  readonly #onClose: (client: LiveClient) => void;
  #frames: string[] = [];
  #wake: (() => void) | undefined;
  /** True when the viewer must be sent a snapshot before further events. */
  needsSnapshot: boolean;
  closed = false;

  constructor(max: number, needsSnapshot: boolean, onClose: (client: LiveClient) => void) {
    this.#max = max;
    this.needsSnapshot = needsSnapshot;
    this.#onClose = onClose;
  }

  /** Queues a frame; a full queue is dropped and replaced by a snapshot. */
  push(text: string): void {
    if (this.closed) return;
    if (this.#frames.length >= this.#max) {
      this.#frames = [];
      this.needsSnapshot = true;
    } else {
      this.#frames.push(text);
    }
    this.#wake?.();
  }

  /** Takes the queued frames, waiting up to `timeoutMs` for some; `[]` on timeout or close. */
  async take(timeoutMs: number): Promise<string[]> {
    if (this.#frames.length === 0 && !this.needsSnapshot && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
    }
    const out = this.#frames;
    this.#frames = [];
    return out;
  }

  /** Stops the viewer's stream. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.needsSnapshot = false;
    this.#frames = [];
    this.#wake?.();
    this.#onClose(this);
  }
}

/** The shared fan-out of one page. */
export class LiveHub {
  readonly #options: LiveHubOptions;
  readonly #epoch = Date.now().toString(36);
  readonly #ring: LiveEvent[] = [];
  readonly #clients = new Set<LiveClient>();
  #seq = 0;
  #closed = false;

  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  /** Viewers connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Id of the newest event, the position a snapshot stands for. */
  get lastId(): string {
    return `${this.#epoch}-${this.#seq}`;
  }

  /** Sends an event to every viewer. */
  publish(event: string, data: unknown): LiveEvent {
    const live = { id: `${this.#epoch}-${++this.#seq}`, event, data: JSON.stringify(data) };
    this.#ring.push(live);
    if (this.#ring.length > this.#options.replay) this.#ring.shift();
    const text = frame(live);
    for (const client of this.#clients) client.push(text);
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
      (c) => this.#clients.delete(c),
    );
    if (this.#closed) {
      client.close();
      return client;
    }
    for (const event of missed ?? []) client.push(frame(event));
    this.#clients.add(client);
    return client;
  }

  /** The snapshot as a `snapshot` frame carrying the id of the newest event it covers. */
  async snapshotFrame(): Promise<string> {
    const id = this.lastId;
    const data = await this.#options.snapshot();
    return frame({ id, event: "snapshot", data: JSON.stringify(data) });
  }

  /** Closes every viewer's stream and any that connects later (before the server shuts down). */
  close(): void {
    this.#closed = true;
    for (const client of [...this.#clients]) client.close();
  }

  #missedSince(lastEventId?: string | null): LiveEvent[] | undefined {
    if (!lastEventId) return undefined;
    const [epoch, seqText] = lastEventId.split("-");
    const seq = Number(seqText);
    if (epoch !== this.#epoch || !Number.isInteger(seq) || seq > this.#seq) return undefined;
    if (seq === this.#seq) return [];
    const oldest = this.#ring[0] ? Number(this.#ring[0].id.split("-")[1]) : Infinity;
    if (seq + 1 < oldest) return undefined;
    return this.#ring.filter((e) => Number(e.id.split("-")[1]) > seq);
  }
}

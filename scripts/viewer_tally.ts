/**
 * What one bench viewer saw of the users page's live stream, counted from
 * the raw bytes its socket received: the `update`s that came with their
 * `latency` event (published together as one chunk), how long after the
 * server sent each one it arrived, and the snapshots it was resynchronised
 * with. Only events the server sent inside the measured window count.
 */

/** When bytes were received, the window that counts, and where the counted figures go. */
export interface TallyRead {
  now: number;
  window: TallyWindow | undefined;
  seen: TallySeen;
}

/** What the viewers together saw in the window. */
export interface TallySeen {
  /** Each counted update's delay, ms. */
  delays: number[];
  /** The event ids of the counted updates. */
  sent: Set<string>;
  /** Characters of the counted chunks (update and latency events with their framing; ≈ bytes, the JSON is mostly ASCII). */
  chunkChars: number;
}

/** The measured window, in the server's clock (ms since the epoch): events sent in it count. */
export interface TallyWindow {
  from: number;
  to: number;
}

/** Counts and delays of one viewer. */
export class ViewerTally {
  /** Updates received whose `latency` event says they were sent in the window. */
  updates = 0;
  /** Snapshots received while the window was open (each means updates were skipped). */
  snapshots = 0;
  /** Whether the HTTP head said 200. */
  accepted = false;
  /** Set when the first snapshot arrived: the viewer is live. */
  live = false;
  #head = true;
  #text = "";
  /** Characters of the last update event, counted with the latency event that follows it. */
  #updateChars = 0;
  readonly #decoder = new TextDecoder();

  /**
   * Reads `bytes` received at `now`: each counted update's delay goes to
   * `delays`, its event id to `sent` (every id any viewer got), its size to
   * `chunkChars`.
   */
  read(bytes: Uint8Array, at: TallyRead): void {
    this.#text += this.#decoder.decode(bytes, { stream: true });
    if (this.#head) {
      const end = this.#text.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.accepted = this.#text.startsWith("HTTP/1.1 200 ");
      this.#text = this.#text.slice(end + 4);
      this.#head = false;
    }
    let end;
    while ((end = this.#text.indexOf("\n\n")) >= 0) {
      const block = this.#text.slice(0, end);
      this.#text = this.#text.slice(end + 2);
      this.#frame(block, at);
    }
  }

  #frame(block: string, { now, window, seen }: TallyRead): void {
    if (!block.startsWith("id: ")) return;
    const idEnd = block.indexOf("\n");
    const id = block.slice(4, idEnd);
    if (block.startsWith("event: snapshot", idEnd + 1)) {
      this.live = true;
      if (window && now >= window.from) this.snapshots++;
      return;
    }
    if (block.startsWith("event: update", idEnd + 1)) {
      this.#updateChars = block.length + 2;
      return;
    }
    if (!block.startsWith("event: latency", idEnd + 1)) return;
    const at = block.indexOf('"sentAt":');
    const sentAt = at < 0 ? NaN : parseInt(block.slice(at + 9, at + 30), 10);
    if (!window || !(sentAt >= window.from && sentAt <= window.to)) return;
    this.updates++;
    seen.delays.push(now - sentAt);
    seen.sent.add(id);
    seen.chunkChars += this.#updateChars + block.length + 2;
    this.#updateChars = 0;
  }
}

/** Whether every live viewer of `tallies` has read all `sent` updates of the window (viewers never live are not waited for). */
export function everyLiveViewerHas(tallies: readonly ViewerTally[], sent: number): boolean {
  return tallies.every((t) => !t.live || t.updates >= sent);
}

/** The value at quantile `q` (0–1) of `sorted` (ascending); `NaN` when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

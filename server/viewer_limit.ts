/** A cap on the live streams one client address holds open at once. */

import { HttpError } from "./http_error.ts";

/** Counts open viewers per client address and refuses one past the cap. */
export class ViewerLimit {
  readonly #max: number;
  readonly #open = new Map<string, number>();

  /** `max` viewers per address at most. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Viewers `address` holds open now. */
  count(address: string): number {
    return this.#open.get(address) ?? 0;
  }

  /**
   * Takes a viewer slot for `address`; the returned function gives it back
   * (calling it again does nothing).
   *
   * @throws {HttpError} 429 when `address` already holds the most allowed.
   */
  acquire(address: string): () => void {
    const open = this.count(address);
    if (open >= this.#max) {
      throw new HttpError(
        429,
        `this client already has ${open} live streams open, the most allowed ` +
          `(STREAMBOARD_SSE_VIEWERS_PER_CLIENT); close a tab or wait for one to end`,
        { "retry-after": "5" },
      );
    }
    this.#open.set(address, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(address) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    };
  }
}

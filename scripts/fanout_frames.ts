/**
 * The frames of the fan-out floor (`fanout_floor.ts`): fixed-size chunks
 * that carry the time they were sent, and a reader that finds them again in
 * whatever pieces a socket delivers.
 */

/** Digits of the send time at the start of every frame (ms since the epoch, zero-padded). */
const STAMP = 16;

/** A frame of `bytes` bytes (at least `STAMP` + 1) saying it was sent at `sentAt`. */
export function stampedFrame(sentAt: number, bytes: number): Uint8Array {
  if (bytes <= STAMP) throw new RangeError(`a frame needs more than ${STAMP} bytes, not ${bytes}`);
  const frame = new Uint8Array(bytes).fill(0x2e);
  frame.set(new TextEncoder().encode(String(Math.round(sentAt)).padStart(STAMP, "0")));
  frame[bytes - 1] = 0x0a;
  return frame;
}

/** Reads one socket's frames of `bytes` bytes, split or joined anyhow; each whole frame's delay goes to `delays`. */
export class FrameReader {
  /** Whole frames read. */
  frames = 0;
  #offset = 0;
  #stamp = "";

  constructor(readonly bytes: number) {}

  /** Reads `chunk`, received at `now` (ms since the epoch). */
  read(chunk: Uint8Array, now: number, delays: number[]): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#offset < STAMP) {
        const end = Math.min(chunk.length, at + STAMP - this.#offset);
        for (let i = at; i < end; i++) this.#stamp += String.fromCharCode(chunk[i]);
        this.#offset += end - at;
        at = end;
        continue;
      }
      const take = Math.min(chunk.length - at, this.bytes - this.#offset);
      this.#offset += take;
      at += take;
      if (this.#offset === this.bytes) {
        delays.push(now - Number(this.#stamp));
        this.frames++;
        this.#offset = 0;
        this.#stamp = "";
      }
    }
  }
}

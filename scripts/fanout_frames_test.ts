import assert from "node:assert/strict";
import { FrameReader, stampedFrame } from "./fanout_frames.ts";

Deno.test("a reader finds every frame and its delay, however the socket splits or joins them", () => {
  const frames = [stampedFrame(1_000, 40), stampedFrame(1_250, 40), stampedFrame(1_900, 40)];
  const stream = new Uint8Array(120);
  frames.forEach((frame, i) => stream.set(frame, i * 40));
  for (const size of [1, 7, 16, 39, 40, 41, 120]) {
    const reader = new FrameReader(40);
    const delays: number[] = [];
    for (let at = 0; at < stream.length; at += size) {
      reader.read(stream.subarray(at, at + size), 2_000, delays);
    }
    assert.equal(reader.frames, 3, `pieces of ${size}`);
    assert.deepEqual(delays, [1_000, 750, 100], `pieces of ${size}`);
  }
});

Deno.test("a frame is as long as asked and ends a line; one too short for its stamp is refused", () => {
  const frame = stampedFrame(1_764_000_000_123, 1_500);
  assert.equal(frame.length, 1_500);
  assert.equal(new TextDecoder().decode(frame.subarray(0, 16)), "0001764000000123");
  assert.equal(frame[1_499], 0x0a);
  assert.throws(() => stampedFrame(1, 16), RangeError);
});

/**
 * Heap measurements for "memory back to its level after": a real garbage
 * collection first (V8's `gc`, reached through `node:v8` flags at run time, so
 * neither `deno task test` nor `deno task fuzz` needs `--expose-gc`).
 */

import v8 from "node:v8";
import vm from "node:vm";
import type { Findings } from "./findings.ts";

let collect: (() => void) | undefined;

function gc(): void {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  collect();
}

/** Heap in use by this isolate after a full collection, bytes. */
export async function settledHeap(): Promise<number> {
  // Let pending callbacks and finalizers run so what they release is released.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/** How much the heap may grow over a fuzz run and still count as back to its level, bytes. */
export const HEAP_TOLERANCE = 16 * 1024 * 1024;

/**
 * Measures the settled heap again and reports growth past `HEAP_TOLERANCE`
 * since `before` (a `settledHeap()` taken at the start) as a finding.
 * Returns the growth in bytes.
 */
export async function checkHeapBack(
  before: number,
  over: string,
  findings: Findings,
): Promise<number> {
  const growth = (await settledHeap()) - before;
  if (growth > HEAP_TOLERANCE) {
    findings.add(
      "memory back to its level",
      `heap grew by ${(growth / 1048576).toFixed(1)} MiB over ${over} (tolerance ${
        HEAP_TOLERANCE / 1048576
      } MiB)`,
    );
  }
  return growth;
}

/**
 * `deno task fuzz [--seconds N] [--seed N] [--count N] [--stream S]... [--http] [--socket]`:
 * runs the fuzz suite over fresh seeds until the time is up (at least one
 * round), printing each seed that broke an invariant with its inputs. Without
 * a target option every stream, the in-process HTTP fuzz and the socket fuzz run.
 */

import { parseArgs } from "node:util";
import { STREAMS } from "../pipeline/stream_registry.ts";
import type { StreamName } from "../pipeline/stream_module.ts";
import { fuzzStream } from "./stream_fuzz.ts";
import { fuzzHttp } from "./http_fuzz.ts";
import { fuzzSocket } from "./socket_fuzz.ts";
import { type Finding, summarize } from "./findings.ts";
import { TEST_COUNT } from "./fuzz_seeds.ts";

/** What to run and for how long. */
export interface FuzzPlan {
  seconds: number;
  seed: number;
  count: number;
  streams: StreamName[];
  http: boolean;
  socket: boolean;
}

/**
 * Reads the command line.
 * @throws {RangeError} naming the option that is wrong
 */
export function parsePlan(args: string[], randomSeed: number): FuzzPlan {
  const { values } = parseArgs({
    args,
    options: {
      seconds: { type: "string", default: "60" },
      seed: { type: "string" },
      count: { type: "string", default: String(TEST_COUNT) },
      stream: { type: "string", multiple: true },
      http: { type: "boolean", default: false },
      socket: { type: "boolean", default: false },
    },
  });
  const whole = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    if (!/^[0-9]+$/.test(text)) {
      throw new RangeError(`--${name} must be a whole number, got "${text}"`);
    }
    return Number(text);
  };
  const streams = values.stream ?? [];
  for (const s of streams) {
    if (!STREAMS.has(s)) {
      throw new RangeError(`--stream must be one of ${STREAMS.names.join(", ")}, got "${s}"`);
    }
  }
  const all = streams.length === 0 && !values.http && !values.socket;
  return {
    seconds: whole("seconds", values.seconds, 60),
    seed: whole("seed", values.seed, randomSeed),
    count: Math.max(1, whole("count", values.count, TEST_COUNT)),
    streams: all ? STREAMS.names : streams,
    http: all || values.http,
    socket: all || values.socket,
  };
}

/** One round of every planned target with `seed`. */
async function round(plan: FuzzPlan, seed: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const stream of plan.streams) {
    const r = await fuzzStream({ stream, seed, count: plan.count });
    console.log(
      `  ${stream}: ${r.inputs} records, ${r.accepted} accepted, ${r.deadLettered} dead-lettered, slowest ${
        r.slowestMs.toFixed(1)
      } ms, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    findings.push(...r.findings);
  }
  if (plan.http) {
    const r = await fuzzHttp({ seed, count: plan.count });
    console.log(
      `  http: ${
        Object.values(r.sent).reduce((a, b) => a + b, 0)
      } requests, ${r.accepted} users accepted, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    findings.push(...r.findings);
  }
  if (plan.socket) {
    const r = await fuzzSocket({ seed, count: Math.min(plan.count, 400) });
    console.log(`  socket: ${(r.elapsedMs / 1000).toFixed(1)} s`);
    findings.push(...r.findings);
  }
  return findings;
}

if (import.meta.main) {
  let plan: FuzzPlan;
  try {
    plan = parsePlan(Deno.args, crypto.getRandomValues(new Uint32Array(1))[0]);
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const deadline = Date.now() + plan.seconds * 1000;
  const failing: number[] = [];
  let seed = plan.seed;
  do {
    console.log(`seed ${seed}`);
    const findings = await round(plan, seed);
    if (findings.length > 0) {
      failing.push(seed);
      console.log(`seed ${seed}: ${findings.length} broken invariant(s)\n${summarize(findings)}`);
    }
    seed = (seed + 1) >>> 0;
  } while (Date.now() < deadline);
  console.log(
    failing.length === 0 ? "no invariant broken" : `failing seeds: ${failing.join(", ")}`,
  );
  Deno.exit(failing.length === 0 ? 0 : 1);
}

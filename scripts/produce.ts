/**
 * `deno task produce`: runs a producer alone against the configured broker
 * (also while `deno task start` runs), in a Deno worker.
 *
 *   deno task produce [--stream users|sales|clicks|views|ratings|products] [--rate 5] [--count N] [--seed N]
 *   deno task produce --source randomuser [--url https://randomuser.me/api/] [--timeout 10000]
 *   deno task produce --stream products --file products.jsonl   (JSON lines, a JSON array, or a saved API response)
 */

import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import {
  type ProducerJob,
  type ProducerSource,
  startWorker,
} from "../pipeline/workers/protocol.ts";
import { RANDOMUSER_DEFAULTS } from "../pipeline/sources/randomuser_source.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";

const USAGE = `usage: deno task produce [--stream ${STREAMS.names.join("|")}]
                         [--source generator|randomuser] [--file PATH] [--history]
                         [--rate N] [--count N] [--seed N] [--url URL] [--timeout MS] [--page-size N]
  --file     replays one JSON record per line (or a JSON array) to the stream's topic
  --history  streams that backfill (${
  STREAMS.modules.filter((m) => m.source.backfill).map((m) => m.name).join(", ")
}) only: start generating in the past`;

function fail(message: string): never {
  console.error(`produce: ${message}\n${USAGE}`);
  Deno.exit(2);
}

function number(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    fail(`--${name} must be a number of at least ${min}, got "${text}"`);
  }
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    args: Deno.args,
    options: {
      stream: { type: "string", default: "users" },
      source: { type: "string", default: "generator" },
      file: { type: "string" },
      rate: { type: "string" },
      count: { type: "string" },
      seed: { type: "string" },
      url: { type: "string", default: RANDOMUSER_DEFAULTS.url },
      timeout: { type: "string" },
      "page-size": { type: "string" },
      history: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const args = parsed.values;
if (args.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const stream = args.stream;
if (!STREAMS.has(stream)) {
  fail(`--stream must be one of ${STREAMS.names.join(", ")}, got "${stream}"`);
}
const module = STREAMS.get(stream);
if (args.source === "randomuser" && stream !== "users") {
  fail(`--source randomuser feeds the users stream only, not "${stream}"`);
}

let config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (error) {
  fail((error as Error).message);
}

let source: ProducerSource;
if (args.file !== undefined) {
  try {
    if (!(await Deno.stat(args.file)).isFile) fail(`--file ${args.file} is not a file`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) fail(`--file ${args.file} does not exist`);
    throw error;
  }
  source = { kind: "file", path: args.file };
} else if (args.source === "randomuser") {
  try {
    new URL(args.url);
  } catch {
    fail(`--url must be a URL, got "${args.url}"`);
  }
  source = {
    kind: "randomuser",
    url: args.url,
    timeoutMs: number("timeout", args.timeout, 100) ?? RANDOMUSER_DEFAULTS.timeoutMs,
    pageSize: number("page-size", args["page-size"], 1) ?? RANDOMUSER_DEFAULTS.pageSize,
  };
} else if (args.source === "generator") {
  source = {
    kind: "generator",
    seed: number("seed", args.seed, 0) ?? config.producer.seed ??
      crypto.getRandomValues(new Uint32Array(1))[0],
    history: args.history && module.source.backfill === true,
  };
} else {
  fail(`--source must be "generator" or "randomuser", got "${args.source}"`);
}

const job: ProducerJob = {
  config,
  registry: STREAMS.ref,
  plans: [{
    stream,
    source,
    rate: number("rate", args.rate, 0) ?? (source.kind === "generator" ? config.producer.rate : 0),
    count: number("count", args.count, 1),
  }],
};
const worker = startWorker(
  new URL("../pipeline/workers/producer_worker.ts", import.meta.url),
  job,
  { onProgress: (sent) => console.log(`sent ${sent}`), nice: config.web.workerNice },
);
const stop = () => worker.stop();
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
try {
  const sent = await worker.done;
  console.log(`done: ${sent ?? 0} record(s) sent to "${module.topics.topic}"`);
  Deno.exit(0);
} catch (error) {
  console.error(`produce failed: ${(error as Error).message}`);
  Deno.exit(1);
}

/**
 * One stream's processor as a process of its own, for the scale-out bench:
 * `deno run --allow-all scripts/processor_process.ts <job.json>` consumes
 * until SIGTERM, so its CPU time is its own (read from /proc) and several
 * instances make one consumer group as separate machines would.
 */

import type { ProcessorJob } from "../pipeline/workers/protocol.ts";
import { runProcessor } from "../pipeline/workers/run_processor.ts";
import { startCheckpoints } from "../pipeline/wiring.ts";
import { consoleLogger } from "../pipeline/logger.ts";

const job = JSON.parse(await Deno.readTextFile(Deno.args[0])) as ProcessorJob;
const controller = new AbortController();
Deno.addSignalListener("SIGTERM", () => controller.abort());
// A process of its own checkpoints its files itself, as `deno task start` does (the bench
// creates the files before it starts processor processes).
const checkpoints = startCheckpoints(job.config, consoleLogger("processor"));
await runProcessor(job, controller.signal);
await checkpoints?.stop();
Deno.exit(0);

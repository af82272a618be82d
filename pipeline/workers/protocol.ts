/**
 * Messages between the main thread and the pipeline's Deno workers, and the
 * main-thread handle that starts a worker and stops it cleanly.
 */

import type { Config } from "../../config.ts";
import type { StreamName } from "../stream_module.ts";
import type { RegistryRef } from "../stream_registry.ts";
import type { ProcessorErrorEvent } from "../processor_errors.ts";
import type { BatchMetrics } from "../batch_metrics.ts";
import type { ProducerOutage } from "../producer.ts";
import { setThreadNice } from "./thread_priority.ts";
import { logWakeMemory, shareLogWakeMemory } from "../embedded/log_wake.ts";

/** Where a producer takes its records from. */
export type ProducerSource =
  /** The stream's seeded generator; `history` starts sales a year back (for an empty stream). */
  | { kind: "generator"; seed: number; history?: boolean }
  | { kind: "randomuser"; url: string; timeoutMs: number; pageSize: number }
  | { kind: "file"; path: string };

/** What to produce to one stream. */
export interface ProducePlan {
  stream: StreamName;
  source: ProducerSource;
  /** Records per second; 0 = as fast as possible. */
  rate: number;
  /** Stop after this many records; unset runs until stopped. */
  count?: number;
}

/**
 * Everything a producer worker needs: one plan per stream it feeds, run side
 * by side, and where the registry of those streams is exported (a worker
 * loads it in its own module graph; see `stream_registry.ts`).
 */
export interface ProducerJob {
  config: Config;
  registry: RegistryRef;
  plans: ProducePlan[];
}

/** Everything a processor worker needs: the stream, and where its registry is exported. */
export interface ProcessorJob {
  config: Config;
  registry: RegistryRef;
  stream: StreamName;
  /** Which of the stream's workers this is, from 1, when the process runs more than one. */
  worker?: number;
}

/**
 * Main thread to worker; `nice` is the worker thread's nice value (see
 * `WorkerOptions.nice`), `logWakes` the memory the embedded logs of the
 * process wake their readers through (see `embedded/log_wake.ts`).
 */
export type ToWorker<J> =
  | { type: "start"; job: J; nice?: number; logWakes: SharedArrayBuffer }
  | { type: "stop" };

/** Worker to main thread. */
export type FromWorker =
  | { type: "started" }
  | { type: "progress"; sent: number }
  /** A processor's processing error or stopped partition, for the health report. */
  | { type: "error-event"; event: ProcessorErrorEvent }
  /** A processor stored a batch, for `/metrics` and the pages' latency figures. */
  | { type: "batch-metrics"; metrics: BatchMetrics }
  /** A producer waits out a broker outage (`outage`), or it is over (`undefined`). */
  | { type: "outage"; outage: ProducerOutage | undefined }
  | { type: "finished"; sent?: number }
  | { type: "failed"; message: string };

/** A running worker. */
export interface WorkerHandle {
  /** Resolves when the worker finished (or was stopped), rejects when it failed. */
  done: Promise<number | undefined>;
  /** Asks the worker to finish its batch and stop; resolves once it has. */
  stop(): Promise<void>;
}

/** What a started worker's owner is told, and how long it waits for a stop. */
export interface WorkerOptions {
  /** Told once the worker has its job. */
  onStarted?(): void;
  /** Told of progress messages (records sent so far). */
  onProgress?(sent: number): void;
  /** Told of a processor's processing errors and stopped partitions. */
  onErrorEvent?(event: ProcessorErrorEvent): void;
  /** Told of each batch a processor stored. */
  onBatchMetrics?(metrics: BatchMetrics): void;
  /** Told when a producer waits out a broker outage, and with `undefined` when it is over. */
  onOutage?(outage: ProducerOutage | undefined): void;
  /** How long `stop` waits for the worker to finish before terminating it, ms (default 10 s). */
  stopTimeoutMs?: number;
  /**
   * The worker thread's nice value (Linux; see `setThreadNice`), so the
   * thread that started it goes first when the cores are short; unset, it
   * keeps the starting thread's.
   */
  nice?: number;
}

/** Starts a worker module with a job. */
export function startWorker<J>(module: URL, job: J, options: WorkerOptions = {}): WorkerHandle {
  const {
    onStarted,
    onProgress,
    onErrorEvent,
    onBatchMetrics,
    onOutage,
    stopTimeoutMs = 10_000,
    nice,
  } = options;
  const worker = new Worker(module, { type: "module" });
  let settled = false;
  let forceStop!: () => void;
  const done = new Promise<number | undefined>((resolve, reject) => {
    forceStop = () => {
      settled = true;
      worker.terminate();
      resolve(undefined);
    };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "started") onStarted?.();
      if (message.type === "progress") onProgress?.(message.sent);
      if (message.type === "error-event") onErrorEvent?.(message.event);
      if (message.type === "batch-metrics") onBatchMetrics?.(message.metrics);
      if (message.type === "outage") onOutage?.(message.outage);
      if (message.type === "finished") {
        settled = true;
        worker.terminate();
        resolve(message.sent);
      }
      if (message.type === "failed") {
        settled = true;
        worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      settled = true;
      worker.terminate();
      reject(new Error(event.message));
    };
  });
  worker.postMessage({ type: "start", job, nice, logWakes: logWakeMemory() } satisfies ToWorker<J>);
  return {
    done,
    stop: async () => {
      if (settled) return;
      worker.postMessage({ type: "stop" } satisfies ToWorker<J>);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, stopTimeoutMs)));
      await Promise.race([done.catch(() => {}), timeout]);
      clearTimeout(timer);
      if (!settled) forceStop();
    },
  };
}

/** What a job running in a worker can tell the main thread. */
export interface WorkerChannel {
  /** Records sent so far. */
  progress(sent: number): void;
  /** A processor's processing error or stopped partition. */
  errorEvent(event: ProcessorErrorEvent): void;
  /** A batch a processor stored. */
  batchMetrics(metrics: BatchMetrics): void;
  /** A producer waits out a broker outage, or (`undefined`) it is over. */
  outage(outage: ProducerOutage | undefined): void;
}

/**
 * Runs a job inside a worker: calls `run` on "start", aborts its signal on
 * "stop", and reports the outcome to the main thread.
 */
export function serveWorker<J>(
  run: (job: J, signal: AbortSignal, channel: WorkerChannel) => Promise<number | void>,
): void {
  const controller = new AbortController();
  const post = (message: FromWorker) => self.postMessage(message);
  self.onmessage = (event: MessageEvent<ToWorker<J>>) => {
    if (event.data.type === "stop") return controller.abort();
    if (event.data.nice !== undefined) setThreadNice(event.data.nice);
    shareLogWakeMemory(event.data.logWakes);
    post({ type: "started" });
    run(event.data.job, controller.signal, {
      progress: (sent) => post({ type: "progress", sent }),
      errorEvent: (errorEvent) => post({ type: "error-event", event: errorEvent }),
      batchMetrics: (metrics) => post({ type: "batch-metrics", metrics }),
      outage: (outage) => post({ type: "outage", outage }),
    })
      .then((sent) => post({ type: "finished", sent: sent ?? undefined }))
      .catch((error) => post({ type: "failed", message: String(error?.stack ?? error) }));
  };
}

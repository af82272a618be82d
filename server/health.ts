/**
 * Liveness and readiness of a StreamBoard process, behind one port
 * (`HealthPort`) that `/healthz` and `/readyz` read.
 *
 * The processors report what goes wrong (`pipeline/processor_errors.ts`);
 * `HealthBoard` keeps it: processing errors make the process "degraded" (it
 * runs, a bug costs single records), a stopped partition or a failed
 * processor makes it not ready until the deployment is fixed and restarted.
 * Readiness also asks the broker and the stores, each within a time limit,
 * and the consumer lag: a processor's group in Burrow's STALL or STOP (it
 * does not move, or is gone, while records wait) is not ready.
 */

import type { PartitionStop } from "../pipeline/errors.ts";
import type { ProcessorErrorEvent } from "../pipeline/processor_errors.ts";

/** Processing errors of one partition since the process started. */
export interface ProcessingErrorCount {
  stream: string;
  partition: number;
  count: number;
  /** When the last one was dead-lettered, ms since the epoch. */
  lastAt: number;
}

/** What `/healthz` shows: the process lives; "degraded" once a bug cost records or stopped a partition. */
export interface HealthReport {
  status: "ok" | "degraded";
  processingErrors: { total: number; partitions: ProcessingErrorCount[] };
  stopped: PartitionStop[];
}

/** Whether a dependency answered. */
export interface DependencyCheck {
  name: string;
  /** The server behind it (`Kafka`, `MongoDB`, `Cassandra`...), when known. */
  server?: string;
  ok: boolean;
  /** Why not, when it did not. */
  error?: string;
}

/** A consumer group that does not keep up, in Burrow's terms. */
export interface GroupHealth {
  group: string;
  topic: string | null;
  status: string;
}

/** One processor worker: its stream, and which of the stream's workers it is (from 1). */
export interface ProcessorWorkerId {
  stream: string;
  worker: number;
}

/** A processor worker that failed, and why. */
export interface FailedProcessor extends ProcessorWorkerId {
  error: string;
}

/** Burrow statuses that make a processor's group not ready. */
const NOT_READY_STATUSES: ReadonlySet<string> = new Set(["STALL", "STOP"]);

/** A part of StreamBoard waiting out a server's outage (the built-in producer during a broker outage). */
export interface Outage {
  /** The part that waits, e.g. `producer`. */
  part: string;
  /** The server that does not answer. */
  server: string;
  /** Since when, ms since the epoch. */
  since: number;
  /** The last error's message. */
  error: string;
}

/** What `/readyz` shows: ready when every partition runs and the broker and stores answer. */
export interface Readiness {
  ready: boolean;
  /** The servers that do not answer now (from the probes and the parts' outages), sorted. */
  down: string[];
  /** Parts waiting out an outage. */
  outages: Outage[];
  /** Partitions stopped, each with why. */
  stopped: PartitionStop[];
  /** Processors' consumer groups in STALL or STOP: records wait and nothing takes them. */
  stalledGroups: GroupHealth[];
  /** Processor workers that failed and are being started again. */
  failedProcessors: FailedProcessor[];
  dependencies: DependencyCheck[];
}

/** The port the health routes read. */
export interface HealthPort {
  /** Liveness: cheap, touches no server. */
  health(): HealthReport;
  /** Readiness: asks the broker and the stores. */
  readiness(): Promise<Readiness>;
}

/** A dependency readiness asks: `check` resolves when it answers. */
export interface Probe {
  name: string;
  /** The server behind it, named in `Readiness.down` when it does not answer. */
  server?: string;
  check(): Promise<unknown>;
}

/** Collects what the processors report. */
export class HealthBoard {
  readonly #errors = new Map<string, ProcessingErrorCount>();
  /** Stopped partitions, each with the worker that stopped it. */
  readonly #stopped = new Map<string, { stop: PartitionStop; worker: number }>();
  readonly #failed = new Map<string, FailedProcessor>();
  readonly #outages = new Map<string, Outage>();

  /** A part waits out an outage (`outage`), or (`undefined`) no longer does. */
  outage(part: string, outage: Omit<Outage, "part"> | undefined): void {
    if (outage === undefined) this.#outages.delete(part);
    else this.#outages.set(part, { part, ...outage });
  }

  /** Parts waiting out an outage, by part. */
  outages(): Outage[] {
    return [...this.#outages.values()].sort((a, b) => a.part.localeCompare(b.part));
  }

  /** Takes one processor report, from the stream's `worker`th worker. */
  report(event: ProcessorErrorEvent, worker = 1): void {
    if (event.kind === "stopped") {
      const { stop } = event;
      this.#stopped.set(`${stop.stream}/${stop.partition}`, { stop, worker });
      return;
    }
    const key = `${event.stream}/${event.partition}`;
    const count = this.#errors.get(key) ??
      { stream: event.stream, partition: event.partition, count: 0, lastAt: event.at };
    count.count++;
    count.lastAt = Math.max(count.lastAt, event.at);
    this.#errors.set(key, count);
  }

  /**
   * A processor worker (re)started: the partitions it stopped run again (a
   * stream's other workers keep the partitions they stopped).
   */
  processorStarted(id: ProcessorWorkerId): void {
    this.#failed.delete(workerKey(id));
    for (const [key, { stop, worker }] of this.#stopped) {
      if (stop.stream === id.stream && worker === id.worker) this.#stopped.delete(key);
    }
  }

  /** A processor worker failed (it is started again with backoff). */
  processorFailed(id: ProcessorWorkerId, error: string): void {
    this.#failed.set(workerKey(id), { stream: id.stream, worker: id.worker, error });
  }

  /** The liveness report. */
  health(): HealthReport {
    const partitions = [...this.#errors.values()].map((c) => ({ ...c }));
    const total = partitions.reduce((sum, c) => sum + c.count, 0);
    const stopped = this.stopped();
    return {
      status: total > 0 || stopped.length > 0 ? "degraded" : "ok",
      processingErrors: { total, partitions },
      stopped,
    };
  }

  /** Partitions stopped, by stream and partition. */
  stopped(): PartitionStop[] {
    return [...this.#stopped.values()].map(({ stop }) => stop).sort((a, b) =>
      a.stream.localeCompare(b.stream) || a.partition - b.partition
    );
  }

  /** Failed processor workers, by stream and worker. */
  failedProcessors(): FailedProcessor[] {
    return [...this.#failed.values()].map((f) => ({ ...f })).sort((a, b) =>
      a.stream.localeCompare(b.stream) || a.worker - b.worker
    );
  }
}

function workerKey({ stream, worker }: ProcessorWorkerId): string {
  return `${stream}#${worker}`;
}

/** Options of `healthPort`. */
export interface HealthPortOptions {
  board: HealthBoard;
  probes: Probe[];
  /** Longest wait for one probe, ms; a slower dependency counts as not answering. */
  probeTimeoutMs: number;
  /** The processors' consumer groups with their status; none watched when absent. */
  groups?: () => GroupHealth[];
}

/** The health port over a board and the dependencies readiness asks. */
export function healthPort(
  { board, probes, probeTimeoutMs, groups }: HealthPortOptions,
): HealthPort {
  return {
    health: () => board.health(),
    readiness: async () => {
      const dependencies = await Promise.all(probes.map((p) => ask(p, probeTimeoutMs)));
      const stopped = board.stopped();
      const failedProcessors = board.failedProcessors();
      const stalledGroups = (groups?.() ?? []).filter((g) => NOT_READY_STATUSES.has(g.status));
      const outages = board.outages();
      const down = new Set(outages.map((o) => o.server));
      for (const d of dependencies) if (!d.ok) down.add(d.server ?? d.name);
      return {
        ready: stopped.length === 0 && failedProcessors.length === 0 &&
          stalledGroups.length === 0 && down.size === 0,
        down: [...down].sort(),
        outages,
        stopped,
        stalledGroups,
        failedProcessors,
        dependencies,
      };
    },
  };
}

async function ask(probe: Probe, timeoutMs: number): Promise<DependencyCheck> {
  const named = probe.server === undefined
    ? { name: probe.name }
    : { name: probe.name, server: probe.server };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([probe.check(), late]);
    return { ...named, ok: true };
  } catch (error) {
    return { ...named, ok: false, error: String((error as Error)?.message ?? error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Which servers are down, for every page: readiness is asked every few
 * seconds and each page's snapshot carries the servers it named, so the
 * connection badge of a dashboard or a console page says which server does
 * not answer, also when the page's own reads do (a Kafka outage stops the
 * updates, not the stores).
 */

import { delay } from "../pipeline/async.ts";
import type { Logger } from "../pipeline/logger.ts";
import type { LivePage, Pages } from "./dashboards.ts";
import type { HealthPort } from "./health.ts";

/** A snapshot with the servers that were down when it was served. */
export type WithDown<S> = S & { down: string[] };

/** The servers readiness last named down, sorted; empty while every server answers. */
export class DownServers {
  #down: string[] = [];

  /** The servers down now. */
  get(): string[] {
    return [...this.#down];
  }

  /** Takes what readiness says now. */
  set(down: readonly string[]): void {
    this.#down = [...down].sort();
  }
}

/** What `watchDownServers` asks and tells. */
export interface DownWatch {
  health: HealthPort;
  servers: DownServers;
  /** How often readiness is asked, ms. */
  everyMs: number;
  log: Logger;
  signal: AbortSignal;
}

/**
 * Asks readiness every `everyMs` until the signal aborts, keeping `servers`
 * up to date and logging each server that goes down or comes back.
 */
export async function watchDownServers({ health, servers, everyMs, log, signal }: DownWatch) {
  while (!signal.aborted) {
    const before = new Set(servers.get());
    const { down } = await health.readiness();
    servers.set(down);
    for (const server of down) if (!before.has(server)) log.warn(`${server} does not answer`);
    for (const server of before) if (!down.includes(server)) log.info(`${server} answers again`);
    await delay(everyMs, signal);
  }
}

/** `pages` with each snapshot carrying `down`: the servers down when it was read. */
export function withDownServers<P extends Pages>(pages: P, servers: DownServers): P {
  const wrapped: Record<string, LivePage> = {};
  for (const [name, page] of Object.entries(pages)) {
    wrapped[name] = {
      ...page,
      read: async () => ({ ...(await page.read() as object), down: servers.get() }),
    };
  }
  return wrapped as P;
}

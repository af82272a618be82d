/** What every route handler can reach: configuration, ports and the live hub. */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import type { LiveHub } from "./live_hub.ts";

/** Shared state of the web app, built by the composition root (`main.ts`) or a test. */
export interface AppState {
  config: Config;
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  hub: LiveHub;
  log: Logger;
  /** Clock, ms since the epoch. */
  now: () => number;
}

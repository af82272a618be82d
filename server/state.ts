/** What every route handler can reach: configuration, ports and the live hubs. */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import type { LiveHub } from "./live_hub.ts";
import type { HealthPort } from "./health.ts";
import type { ClicksSnapshot, Dashboard, ProductsSnapshot, SalesSnapshot } from "./dashboards.ts";

/** Current state of each dashboard besides the users page, read from the stores. */
export interface DashboardReads {
  sales(): Promise<SalesSnapshot>;
  clicks(): Promise<ClicksSnapshot>;
  products(): Promise<ProductsSnapshot>;
}

/** Shared state of the web app, built by the composition root (`main.ts`) or a test. */
export interface AppState {
  config: Config;
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  /** The users page's live hub (`/api/stream`). */
  hub: LiveHub;
  /** The other dashboards' live hubs (`/api/stream/<dashboard>`). */
  hubs: Record<Dashboard, LiveHub>;
  reads: DashboardReads;
  log: Logger;
  /** Liveness and readiness (`/healthz`, `/readyz`). */
  health: HealthPort;
  /** Clock, ms since the epoch. */
  now: () => number;
}

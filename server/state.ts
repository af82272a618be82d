/** What every route handler can reach: configuration, ports, the pages and their live hubs. */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import type { HealthPort } from "./health.ts";
import type { MetricsPort } from "./metrics/metrics_port.ts";
import type { DashboardPages, Pages } from "./dashboards.ts";
import type { PageHubs } from "./live_feed.ts";
import type { TopicRates } from "./topic_rates.ts";
import type { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import type { StreamRegistry } from "../pipeline/stream_registry.ts";

/** Shared state of the web app, built by the composition root (`main.ts`) or a test. */
export interface AppState {
  config: Config;
  /** The streams of this installation (the console's dead letters are listed per stream). */
  registry: StreamRegistry;
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  /**
   * Every page by name: the shipped ones typed with their snapshots, and any
   * a registry adds. `/api/stream/<page>` and `/api/pages/<page>` serve them.
   */
  pages: DashboardPages & Pages;
  /** The live hub of each page in `pages`. */
  hubs: PageHubs;
  log: Logger;
  /** Liveness and readiness (`/healthz`, `/readyz`). */
  health: HealthPort;
  /** Records in per second of each topic, fed by the topic sampler. */
  topicRates: TopicRates;
  /** Consumer lag of every group as last sampled (`lag.lagView()`), for the console and `/metrics`. */
  lag: GroupLagTracker;
  /** What `/metrics` serves. */
  metrics: MetricsPort;
  /** Clock, ms since the epoch. */
  now: () => number;
}

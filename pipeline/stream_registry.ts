/**
 * The streams StreamBoard runs: one list of stream modules, and the registry
 * every tool reads them from. Adding a stream is one folder with its
 * `module.ts` plus one line in `STREAM_MODULES`.
 *
 * A registry crosses into Deno workers by reference: the URL of the module
 * that exports it and the export's name (`RegistryRef`); a worker imports
 * that module and takes the export (`loadRegistry`). So a test's registry
 * with an extra stream runs in workers exactly as the default one.
 */

import { SettingError } from "./errors.ts";
import type { Config } from "../config.ts";
import type { TopicSpec } from "./ports.ts";
import { LIVE_RETENTION_MS } from "./live_announcement.ts";
import type { StreamModule, StreamName } from "./stream_module.ts";
import { usersModule } from "./users/module.ts";
import { salesModule } from "./sales/module.ts";
import { clicksModule, ratingsModule, sessionsModule, viewsModule } from "./clickstream/module.ts";
import { productsModule } from "./products/module.ts";

/** Where a registry is exported: the URL of a module and the name of its export. */
export interface RegistryRef {
  url: string;
  name: string;
}

const NAME = /^[a-z][a-z0-9_]*$/;
const PER_STREAM: ReadonlyArray<
  ["allowedLatenessMs" | "outOfOrdernessMs" | "maxFutureMs", string]
> = [
  ["allowedLatenessMs", "LATENESS_MS"],
  ["outOfOrdernessMs", "OUT_OF_ORDER_MS"],
  ["maxFutureMs", "MAX_FUTURE_MS"],
];

/** Stream modules by name, in page order. */
export class StreamRegistry {
  /** Where this registry is exported, for workers to load it. */
  readonly ref: RegistryRef;
  readonly #modules: readonly StreamModule[];
  readonly #byName: ReadonlyMap<StreamName, StreamModule>;

  /**
   * @param ref where the registry being built is exported (`{ url: import.meta.url, name }`)
   * @throws {RangeError} for a name that is not lower-case letters, digits and `_`, or used twice
   */
  constructor(modules: readonly StreamModule[], ref: RegistryRef) {
    const byName = new Map<StreamName, StreamModule>();
    for (const module of modules) {
      if (!NAME.test(module.name)) {
        throw new RangeError(
          `a stream name must be lower-case letters, digits and _, starting with a letter, got "${module.name}"`,
        );
      }
      if (byName.has(module.name)) throw new RangeError(`two streams are named "${module.name}"`);
      byName.set(module.name, module);
    }
    this.ref = ref;
    this.#modules = [...modules];
    this.#byName = byName;
  }

  /** Every module, in page order. */
  get modules(): readonly StreamModule[] {
    return this.#modules;
  }

  /** Every stream name, in page order. */
  get names(): StreamName[] {
    return this.#modules.map((m) => m.name);
  }

  /** True for a registered stream. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * The module of a stream.
   * @throws {RangeError} naming the streams there are, for an unknown name
   */
  get(name: string): StreamModule {
    const module = this.#byName.get(name);
    if (!module) {
      throw new RangeError(
        `there is no stream "${name}"; the streams are ${this.names.join(", ")}`,
      );
    }
    return module;
  }

  /** This registry and `modules` after it, exported at `ref`. */
  with(modules: readonly StreamModule[], ref: RegistryRef): StreamRegistry {
    return new StreamRegistry([...this.#modules, ...modules], ref);
  }

  /** Every topic of every stream with its partitions (the create-topics script). */
  topicSpecs(config: Config): TopicSpec[] {
    return this.#modules.flatMap((m) => [
      { name: m.topics.topic, partitions: m.partitions(config) },
      { name: m.topics.dlqTopic, partitions: 1 },
      { name: m.topics.liveTopic, partitions: 1, retentionMs: LIVE_RETENTION_MS },
    ]);
  }

  /**
   * The streams the configuration runs (`STREAMBOARD_STREAMS`, every stream
   * when unset), in page order.
   * @throws {SettingError} naming the setting, as `check` does
   */
  selected(config: Config): StreamModule[] {
    this.check(config);
    const wanted = config.streams.selected;
    return wanted === undefined
      ? [...this.#modules]
      : this.#modules.filter((m) => wanted.includes(m.name));
  }

  /**
   * Refuses a configuration naming streams this registry does not hold.
   * @throws {SettingError} naming the setting, what it names and the streams there are
   */
  check(config: Config): void {
    const { selected } = config.streams;
    const unknown = (selected ?? []).filter((name) => !this.has(name));
    if (unknown.length > 0 || selected?.length === 0) {
      throw new SettingError(
        "STREAMBOARD_STREAMS",
        `STREAMBOARD_STREAMS must list streams among ${this.names.join(", ")}, got "${
          (selected ?? []).join(",")
        }"`,
      );
    }
    for (const [field, suffix] of PER_STREAM) {
      for (const name of Object.keys(config.streams[field])) {
        if (!this.has(name)) {
          throw new SettingError(
            `STREAMBOARD_${name.toUpperCase()}_${suffix}`,
            `STREAMBOARD_${name.toUpperCase()}_${suffix} names no stream; the streams are ${
              this.names.join(", ")
            }`,
          );
        }
      }
    }
  }
}

/** Every stream StreamBoard ships, in page order: one line per stream module. */
export const STREAM_MODULES: readonly StreamModule[] = [
  usersModule,
  salesModule,
  clicksModule,
  viewsModule,
  ratingsModule,
  productsModule,
  sessionsModule,
];

/** The registry of the shipped streams, the one the composition roots pass in. */
export const STREAMS = new StreamRegistry(STREAM_MODULES, {
  url: import.meta.url,
  name: "STREAMS",
});

/**
 * The registry a reference points at (in a worker, which has its own module graph).
 * @throws {Error} when the module does not export a registry under that name (a bug)
 */
export async function loadRegistry(ref: RegistryRef): Promise<StreamRegistry> {
  const exports: Record<string, unknown> = await import(ref.url);
  const registry = exports[ref.name];
  if (!(registry instanceof StreamRegistry)) {
    throw new Error(`${ref.url} exports no stream registry named "${ref.name}"`);
  }
  return registry;
}

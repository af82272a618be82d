/**
 * Fault injection for crash tests: ports that "die" after a number of writes,
 * leaving the failing write half done, as a killed process would.
 */

import type {
  AggregateRow,
  AggregateStore,
  Broker,
  EventClaim,
  EventIdStore,
  OutgoingRecord,
  RawStore,
} from "../ports.ts";

/** `inner` with some members replaced. */
export function override<T extends object>(inner: T, replaced: Partial<T>): T {
  return new Proxy(inner, {
    get(target, property) {
      if (property in replaced) return replaced[property as keyof T];
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Stores and broker that "die" after a given number of writes: the failing
 * write is left half done (half of an aggregate batch written) and the
 * processor's run is aborted at that instant, as a killed process would be.
 */
export class Crashing {
  /** Aborted at the moment of the crash; pass its signal to the processor. */
  remaining: number;
  controller = new AbortController();
  /** Dies on write number `writesBeforeCrash`. */
  constructor(writesBeforeCrash: number) {
    this.remaining = writesBeforeCrash;
  }
  #tick(): boolean {
    return --this.remaining === 0;
  }
  #crash(): never {
    this.controller.abort();
    throw new Error("killed");
  }
  /** The raw store, dying on the chosen write. */
  raw(inner: RawStore): RawStore {
    return override(inner, {
      upsert: async (c: string, docs: Parameters<RawStore["upsert"]>[1]) => {
        if (this.#tick()) {
          await inner.upsert(c, docs.slice(0, docs.length >> 1));
          this.#crash();
        }
        return inner.upsert(c, docs);
      },
    });
  }
  /** The aggregate store, dying on the chosen write. */
  aggregates(inner: AggregateStore): AggregateStore {
    return override(inner, {
      write: async (rows: AggregateRow[]) => {
        if (this.#tick()) {
          await inner.write(rows.slice(0, rows.length >> 1));
          this.#crash();
        }
        return inner.write(rows);
      },
    });
  }
  /** The event id store, dying on the chosen claim after claiming half of its ids. */
  eventIds(inner: EventIdStore): EventIdStore {
    return override(inner, {
      claim: async (stream: string, claims: EventClaim[]) => {
        if (this.#tick()) {
          await inner.claim(stream, claims.slice(0, claims.length >> 1));
          this.#crash();
        }
        return inner.claim(stream, claims);
      },
    });
  }
  /** The broker, dying on a produce or between a batch's sinks and its commit. */
  broker(inner: Broker): Broker {
    return override(inner, {
      produce: (topic: string, list: OutgoingRecord[]) => {
        if (this.#tick()) this.#crash();
        return inner.produce(topic, list);
      },
      consume: (options: Parameters<Broker["consume"]>[0]) =>
        inner.consume({
          ...options,
          handle: async (batch) => {
            await options.handle(batch);
            if (this.#tick()) this.#crash(); // dies after the sinks, before the commit
          },
        }),
    });
  }
}

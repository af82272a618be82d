/**
 * A small stream that StreamBoard does not ship, declared the way a new
 * stream would be, for the extra-stream test: sensor readings
 * `{ sensor, celsius, timestamp }`, validated, with a derived Fahrenheit
 * value, averaged per partition in ten-second tumbling windows.
 */

import type { AggregateStore, BrokerRecord } from "../../ports.ts";
import type { Random } from "../../random.ts";
import { at, decodeJson, isoDateAt, numberAt, textAt } from "../../validation.ts";
import { tumbling, type WindowResult } from "../../windowing/windows.ts";
import {
  defineStream,
  type StreamModule,
  streamSettings,
  topicsNamed,
} from "../../stream_module.ts";

/** A validated reading. */
export interface Reading {
  sensor: string;
  celsius: number;
  /** Derived: the same temperature in degrees Fahrenheit. */
  fahrenheit: number;
  /** Event time, ms since the epoch. */
  ts: number;
}

/** Running sum of a window, in thousandths of a degree (integers: exact and plain JSON). */
export interface ReadingSums {
  millicelsius: number;
  count: number;
}

/** Window length of the averages, ms. */
export const TEMPERATURE_WINDOW_MS = 10_000;
/** Dimension of each fired window's mean, in thousandths of a degree Celsius. */
export const MEAN_DIMENSION = "mean_millicelsius";

/**
 * A reading from untrusted JSON.
 * @throws {InvalidFieldError} naming the field, for a reading that is not one
 */
export function validateReading(value: unknown): Reading {
  const sensor = textAt(value, "sensor", { max: 64 });
  const celsius = numberAt(value, "celsius", { min: -273.15, max: 1000 });
  const ts = isoDateAt(value, "timestamp");
  return { sensor, celsius, fahrenheit: celsius * 9 / 5 + 32, ts };
}

/** A generator of readings one second apart, starting five minutes before its first call. */
export function readingsGenerator(): (random: Random, now: number) => unknown {
  let clock: number | undefined;
  return (random, now) => {
    clock = clock === undefined ? now - 300_000 : clock + 1000;
    return {
      sensor: random.pick(["north", "south", "east", "west"]),
      celsius: random.int(-100, 350) / 10,
      timestamp: new Date(clock).toISOString(),
    };
  };
}

/** Writes the mean of each fired window (absolute values: a re-fire replaces them). */
function writeMeans(
  aggregates: AggregateStore,
  partition: number,
  fired: WindowResult<ReadingSums>[],
): Promise<void> {
  return aggregates.write(fired.map((w) => ({
    stream: "temperatures",
    dimension: MEAN_DIMENSION,
    windowStart: w.start,
    key: "all",
    partition,
    value: BigInt(Math.round(w.value.millicelsius / w.value.count)),
    offset: 0,
  })));
}

/** The temperatures stream. */
export const temperaturesModule: StreamModule = defineStream<Reading, ReadingSums>({
  name: "temperatures",
  topics: topicsNamed("temperatures"),
  partitions: (config) => config.broker.partitions,
  // Sensors send within a second or two; a correction may come half a minute late.
  defaults: { outOfOrdernessMs: 2000, allowedLatenessMs: 30_000, maxFutureMs: 60_000 },
  source: {
    generator: readingsGenerator,
    key: (value) => {
      const sensor = at(value, "sensor");
      return typeof sensor === "string" ? sensor : null;
    },
  },
  definition: ({ config, aggregates }) => {
    const settings = streamSettings(temperaturesModule, config);
    return {
      name: "temperatures",
      ...topicsNamed("temperatures"),
      windowMs: TEMPERATURE_WINDOW_MS,
      parse: (record: BrokerRecord) => validateReading(decodeJson(record.value)),
      document: (reading, record) => ({
        id: `${record.partition}-${String(record.offset).padStart(15, "0")}`,
        ts: reading.ts,
        doc: { ...reading, partition: record.partition },
      }),
      contributions: () => [],
      live: (reading) => ({ sensor: reading.sensor, celsius: reading.celsius, ts: reading.ts }),
      windows: {
        spec: tumbling(TEMPERATURE_WINDOW_MS, {
          ...settings,
          idleTimeoutMs: config.processor.idleTimeoutMs,
        }),
        eventTime: (reading) => reading.ts,
        timeField: "timestamp",
        aggregation: {
          empty: (): ReadingSums => ({ millicelsius: 0, count: 0 }),
          add: (acc, reading) => ({
            millicelsius: acc.millicelsius + Math.round(reading.celsius * 1000),
            count: acc.count + 1,
          }),
        },
        onClose: (partition, fired) => writeMeans(aggregates, partition, fired),
        // What its page shows: the watermark and the mean of each window still open.
        readModel: (state) => ({
          watermark: state.watermark,
          open: state.windows.map((w) => ({
            start: w.start,
            readings: w.value.count,
            meanCelsius: w.value.millicelsius / w.value.count / 1000,
          })),
        }),
      },
    };
  },
  page: { page: "temperatures", title: "Temperatures" },
});

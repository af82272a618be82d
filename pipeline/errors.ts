/**
 * Errors by meaning, classified where they start, each with a stable `code`
 * and whether trying again can help (`retriable`), as `@platformatic/kafka`'s
 * errors carry a code and `canRetry`. Nothing in StreamBoard decides what an
 * error means from a built-in type (`TypeError`, `RangeError`...): a bug
 * throws those too.
 *
 * - `RecordError` (`record_error.ts`): the record is bad; dead-lettered with its code.
 * - `UnavailableError`: a broker or store does not answer; retried with backoff, never dead-lettered.
 * - `MissingTopicError`, `SettingError`: the deployment is wrong; not retried, said loudly.
 * - `PartitionStoppedError`: the processor stopped a partition; the broker pauses it.
 */

/** Options every StreamBoard error takes. */
export interface StreamBoardErrorOptions {
  /** Whether trying the same thing again can succeed. */
  retriable: boolean;
  /** The error this one explains (a driver's error). */
  cause?: unknown;
}

/** An error whose meaning is known: a stable code, and whether a retry can help. */
export class StreamBoardError extends Error {
  /** Stable code, for logs, dead-letter headers and health reports. */
  readonly code: string;
  /** Whether trying the same thing again can succeed. */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: StreamBoardErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StreamBoardError";
    this.code = code;
    this.retriable = options.retriable;
  }
}

/** True for an error StreamBoard classified (any of the classes of this module). */
export function isStreamBoardError(error: unknown): error is StreamBoardError {
  return error instanceof StreamBoardError;
}

/**
 * False only for an error that says a retry cannot help; an unclassified
 * error (a driver's) counts as retriable, since it came from I/O and an
 * outage is its likeliest meaning.
 */
export function canRetry(error: unknown): boolean {
  return !isStreamBoardError(error) || error.retriable;
}

/** A broker or store that does not answer (down, unreachable, timed out): try again later. */
export class UnavailableError extends StreamBoardError {
  /** What did not answer: `Kafka`, `MongoDB`, `Cassandra`, `the embedded log`. */
  readonly service: string;

  constructor(service: string, message: string, cause?: unknown) {
    super("unavailable", message, { retriable: true, cause });
    this.name = "UnavailableError";
    this.service = service;
  }
}

/** A topic StreamBoard needs does not exist: a deployment to fix, not bad input. */
export class MissingTopicError extends StreamBoardError {
  /** The topic's name. */
  readonly topic: string;

  constructor(topic: string, message: string) {
    super("missing-topic", message, { retriable: false });
    this.name = "MissingTopicError";
    this.topic = topic;
  }
}

/** A setting that cannot be used; its message names the setting, what it expects and what came. */
export class SettingError extends StreamBoardError {
  /** The environment variable to fix, e.g. `PORT`. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super("bad-setting", message, { retriable: false });
    this.name = "SettingError";
    this.setting = setting;
  }
}

/** Where and why a processor stopped one partition of its input topic. */
export interface PartitionStop {
  stream: string;
  topic: string;
  partition: number;
  /** The record it stopped before: nothing at or past it is committed. */
  offset: number;
  /** Stable code of why: `processing-errors` (the threshold), or the code of a non-retriable error. */
  code: string;
  /** What a person reads. */
  reason: string;
  /** When, ms since the epoch. */
  at: number;
}

/**
 * Thrown by a batch handler to stop its partition: the batch is not
 * committed and the broker delivers nothing more of that partition to this
 * consumer, while its other partitions go on (Kafka's `pause`).
 */
export class PartitionStoppedError extends StreamBoardError {
  /** Where and why. */
  readonly stop: PartitionStop;

  constructor(stop: PartitionStop) {
    super(
      "partition-stopped",
      `${stop.stream}: partition ${stop.topic}[${stop.partition}] stopped before offset ${stop.offset}: ${stop.reason}`,
      { retriable: false },
    );
    this.name = "PartitionStoppedError";
    this.stop = stop;
  }
}

/** True for the error a handler throws to stop its partition. */
export function isPartitionStopped(error: unknown): error is PartitionStoppedError {
  return error instanceof PartitionStoppedError;
}

/** A partition a topic does not have (asked for by number). */
export class MissingPartitionError extends StreamBoardError {
  /** The topic's name. */
  readonly topic: string;
  /** The partition asked for. */
  readonly partition: number;

  constructor(topic: string, partition: number, partitions: number) {
    super(
      "missing-partition",
      `topic "${topic}" has no partition ${partition}; it has ${partitions} (0 to ${
        partitions - 1
      })`,
      { retriable: false },
    );
    this.name = "MissingPartitionError";
    this.topic = topic;
    this.partition = partition;
  }
}

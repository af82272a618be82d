/**
 * How an embedded log's append wakes the readers of its topic in every
 * thread of the process, and only those: shared memory holding a counter per
 * topic and, per reading log, a wake counter and the topics it reads. An
 * append adds to its topic's counter and notifies the logs that read it; a
 * reader waits (`Atomics.waitAsync`) on its own log's counter and goes on
 * when a counter of its topics moved. A `BroadcastChannel` did this before and
 * woke every thread holding one for every append to any topic.
 *
 * The workers of a process share the memory: `startWorker` hands it to each
 * worker it starts (see `workers/protocol.ts`). Another process's appends
 * reach a reader by its poll.
 */

/** Counters of topics; topics are spread over them by hash (a shared one only wakes a reader for nothing). */
const TOPIC_SLOTS = 256;
/** Logs reading at once in one process. */
const READER_SLOTS = 64;
const MASK_WORDS = TOPIC_SLOTS / 32;
/** Per reader: in use, wake counter, then the topics it reads as a bit mask. */
const READER_WORDS = 2 + MASK_WORDS;
const READERS_AT = TOPIC_SLOTS;
const WORDS = TOPIC_SLOTS + READER_SLOTS * READER_WORDS;

let processMemory: SharedArrayBuffer | undefined;

/** The memory the embedded logs of this thread wake each other through, shared by the threads the process started. */
export function logWakeMemory(): SharedArrayBuffer {
  return processMemory ??= new SharedArrayBuffer(WORDS * 4);
}

/**
 * Makes `memory` (from the thread that started this one) the memory the
 * embedded logs of this thread wake readers through. Call it before opening a
 * log; a thread that already has other memory keeps it, loudly.
 */
export function shareLogWakeMemory(memory: SharedArrayBuffer): void {
  if (memory.byteLength !== WORDS * 4) {
    throw new Error(`log wake memory of ${memory.byteLength} bytes, not ${WORDS * 4}`);
  }
  if (processMemory !== undefined && processMemory !== memory) {
    throw new Error("this thread already wakes its logs' readers through other memory");
  }
  processMemory = memory;
}

/** One log's side of the wake memory: announces its appends and lets its readers wait. */
export class LogWake {
  readonly #words: Int32Array;
  readonly #file: string;
  readonly #slots = new Map<string, number>();
  /** This log's reader slot, taken at its first watch. */
  #reader: number | undefined;
  /** Readers waiting, each with what it watches. */
  readonly #waiters = new Map<() => void, TopicWatch>();
  #armed = false;
  #closed = false;

  /** `file` names the log: logs of one file share their topics' counters. */
  constructor(file: string, memory: SharedArrayBuffer = logWakeMemory()) {
    this.#words = new Int32Array(memory);
    this.#file = file;
  }

  /** Tells the readers of `topic`, in every thread, that it has new records. */
  announce(topic: string): void {
    const words = this.#words;
    const slot = this.#slot(topic);
    Atomics.add(words, slot, 1);
    const word = slot >>> 5;
    const bit = 1 << (slot & 31);
    for (let reader = 0; reader < READER_SLOTS; reader++) {
      const at = READERS_AT + reader * READER_WORDS;
      if ((Atomics.load(words, at + 2 + word) & bit) === 0) continue;
      Atomics.add(words, at + 1, 1);
      Atomics.notify(words, at + 1);
    }
  }

  /** A watch of `topics`, for a reader that reads them in a loop. */
  watch(topics: Iterable<string>): TopicWatch {
    const at = this.#join();
    const slots = [...new Set([...topics].map((topic) => this.#slot(topic)))];
    for (const slot of slots) Atomics.or(this.#words, at + 2 + (slot >>> 5), 1 << (slot & 31));
    return new TopicWatch({ words: this.#words, slots, owner: this });
  }

  /**
   * Resolves once a counter of `watch`'s topics moved since its last `mark`,
   * `ms` passed, or `signal` aborted.
   */
  wait(watch: TopicWatch, ms: number, signal: AbortSignal): Promise<void> {
    if (this.#closed || signal.aborted || watch.moved()) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        this.#waiters.delete(done);
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.set(done, watch);
      timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.#arm();
    });
  }

  /** Ends every wait and gives up this log's reader slot. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const done of [...this.#waiters.keys()]) done();
    if (this.#reader === undefined) return;
    const at = READERS_AT + this.#reader * READER_WORDS;
    for (let word = 0; word < MASK_WORDS; word++) Atomics.store(this.#words, at + 2 + word, 0);
    // Releases this thread's pending `waitAsync`, which would keep it alive.
    Atomics.add(this.#words, at + 1, 1);
    Atomics.notify(this.#words, at + 1);
    Atomics.store(this.#words, at, 0);
  }

  /**
   * Ends the waits whose topics moved, then waits on this log's wake counter
   * for as long as readers wait; the counter is read before the topics', so
   * an append between the two ends the `waitAsync` at once.
   */
  #arm(): void {
    if (this.#armed) return;
    const wake = READERS_AT + this.#reader! * READER_WORDS + 1;
    while (!this.#closed) {
      const seen = Atomics.load(this.#words, wake);
      for (const [done, watch] of [...this.#waiters]) if (watch.moved()) done();
      if (this.#waiters.size === 0) return;
      const waiting = Atomics.waitAsync(this.#words, wake, seen);
      if (waiting.async) {
        this.#armed = true;
        waiting.value.then(() => {
          this.#armed = false;
          this.#arm();
        });
        return;
      }
    }
  }

  /** This log's reader slot's first word, taking a free slot the first time. */
  #join(): number {
    if (this.#reader === undefined) {
      for (let reader = 0; reader < READER_SLOTS; reader++) {
        if (Atomics.compareExchange(this.#words, READERS_AT + reader * READER_WORDS, 0, 1) === 0) {
          this.#reader = reader;
          break;
        }
      }
      if (this.#reader === undefined) {
        throw new Error(
          `more than ${READER_SLOTS} embedded logs read at once in this process; close those done with`,
        );
      }
    }
    return READERS_AT + this.#reader * READER_WORDS;
  }

  #slot(topic: string): number {
    let slot = this.#slots.get(topic);
    if (slot === undefined) {
      slot = fnv1a(`${this.#file}\n${topic}`) % TOPIC_SLOTS;
      this.#slots.set(topic, slot);
    }
    return slot;
  }
}

/** What one reader watches: its topics' counters, as they were at its last `mark`. */
export class TopicWatch {
  readonly #words: Int32Array;
  readonly #slots: readonly number[];
  readonly #seen: Int32Array;
  readonly #owner: LogWake;

  constructor(options: { words: Int32Array; slots: readonly number[]; owner: LogWake }) {
    this.#words = options.words;
    this.#slots = options.slots;
    this.#seen = new Int32Array(options.slots.length);
    this.#owner = options.owner;
    this.mark();
  }

  /** Notes the topics' counters: call it before reading what the topics hold. */
  mark(): void {
    for (let i = 0; i < this.#slots.length; i++) {
      this.#seen[i] = Atomics.load(this.#words, this.#slots[i]);
    }
  }

  /** Whether a topic had an append since the last `mark`. */
  moved(): boolean {
    for (let i = 0; i < this.#slots.length; i++) {
      if (Atomics.load(this.#words, this.#slots[i]) !== this.#seen[i]) return true;
    }
    return false;
  }

  /** Waits until a topic had an append since the last `mark`, `ms` passed, or `signal` aborted. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return this.#owner.wait(this, ms, signal);
  }
}

/** FNV-1a of a string's UTF-16 code units, unsigned. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

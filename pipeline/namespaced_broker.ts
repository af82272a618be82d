/**
 * A `Broker` that prefixes topic and consumer group names, so several
 * StreamBoard installations (staging and production, or parallel test runs)
 * can share one Kafka cluster without seeing each other's records.
 */

import type { Broker, BrokerRecord, RecordBatch } from "./ports.ts";

/** Wraps `inner` so that every topic and group name gets `prefix`. */
export function namespacedBroker(inner: Broker, prefix: string): Broker {
  if (prefix === "") return inner;
  const name = (topic: string) => `${prefix}${topic}`;
  const strip = (batch: RecordBatch): RecordBatch => ({
    ...batch,
    topic: batch.topic.slice(prefix.length),
    records: batch.records.map((r: BrokerRecord) => ({
      ...r,
      topic: r.topic.slice(prefix.length),
    })),
  });
  return {
    createTopics: (topics) => inner.createTopics(topics.map((t) => ({ ...t, name: name(t.name) }))),
    partitions: (topic) => inner.partitions(name(topic)),
    produce: (topic, records) => inner.produce(name(topic), records),
    consume: (options) =>
      inner.consume({
        ...options,
        groupId: name(options.groupId),
        topics: options.topics.map(name),
        handle: (batch) => options.handle(strip(batch)),
        onAssignment: options.onAssignment &&
          ((held) =>
            options.onAssignment!(
              Object.fromEntries(
                Object.entries(held).map(([topic, partitions]) => [
                  topic.slice(prefix.length),
                  partitions,
                ]),
              ),
            )),
      }),
    tail: (options) =>
      inner.tail({
        ...options,
        topics: options.topics.map(name),
        handle: (batch) => options.handle(strip(batch)),
      }),
    describeTopics: async () =>
      (await inner.describeTopics())
        .filter((t) => t.name.startsWith(prefix))
        .map((t) => ({ ...t, name: t.name.slice(prefix.length) })),
    read: async (options) =>
      (await inner.read({ ...options, topic: name(options.topic) }))
        .map((r) => ({ ...r, topic: r.topic.slice(prefix.length) })),
    offsetForTime: (options) => inner.offsetForTime({ ...options, topic: name(options.topic) }),
    describeGroups: async () =>
      (await inner.describeGroups())
        .filter((g) => g.group.startsWith(prefix))
        .map((g) => ({
          ...g,
          group: g.group.slice(prefix.length),
          members: g.members.map((m) => ({
            ...m,
            partitions: m.partitions
              .filter((p) => p.topic.startsWith(prefix))
              .map((p) => ({ ...p, topic: p.topic.slice(prefix.length) })),
          })),
          offsets: g.offsets
            .filter((o) => o.topic.startsWith(prefix))
            .map((o) => ({ ...o, topic: o.topic.slice(prefix.length) })),
        })),
    close: () => inner.close(),
  };
}

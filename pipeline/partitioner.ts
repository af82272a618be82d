/**
 * Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo
 * the partition count. The embedded log uses it so a key lands in the same
 * partition number as with Kafka's Java client and kafkajs.
 */

const encoder = new TextEncoder();

/** Kafka's murmur2 hash (signed 32-bit result, as `Utils.murmur2` in Kafka). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) |
      ((data[i4 + 2] & 0xff) << 16) | ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= (data[tail + 2] & 0xff) << 16;
    // falls through
    case 2:
      h ^= (data[tail + 1] & 0xff) << 8;
    // falls through
    case 1:
      h ^= data[tail] & 0xff;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition of a key among `partitions`; a null key goes round-robin
 * through `fallback` (a counter the caller advances).
 */
export function partitionFor(key: string | null, partitions: number, fallback = 0): number {
  if (key === null) return fallback % partitions;
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}

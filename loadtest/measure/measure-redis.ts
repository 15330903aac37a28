import type { Redis } from 'ioredis';

/** INFO memory's used_memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** Every key under a prefix, by SCAN (never KEYS). */
export async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export interface DedupFootprint {
  /** Hashes (buckets × generations) holding dedup keys. */
  readonly hashes: number;
  /** Dedup keys remembered: the fields of those hashes. */
  readonly keys: number;
  /**
   * MEMORY USAGE of those hashes (from an even sample of at most 4,000, scaled by keys): this
   * run's own bytes, whoever else uses the server.
   */
  readonly bytes: number;
  /**
   * Bytes per additional key, from a least-squares line of MEMORY USAGE
   * against HLEN over the hashes: the cost per key once the fixed cost of
   * each hash is spread over many keys (long runs, production).
   */
  readonly marginalBytesPerKey?: number;
  /** The fixed bytes of one hash (the line's intercept). */
  readonly bytesPerHash?: number;
  /** Hashes by OBJECT ENCODING (listpack is compact; hashtable is not), scaled from the sample. */
  readonly encodings: Record<string, number>;
  /** The server's hash-max-listpack-entries: past it, a hash converts to a hashtable. */
  readonly listpackMaxEntries?: number;
}

/**
 * What the gateway's dedup store holds under its prefix (see
 * src/dedup/redis-dedup-store.ts: `<prefix>:dd:<generation>:<bucket>`
 * hashes whose fields are the keys).
 */
export async function dedupFootprint(
  redis: Redis,
  prefix: string,
  maxSampled = 4_000,
): Promise<DedupFootprint> {
  const hashes = await keysUnder(redis, `${prefix}:dd:*`);
  const lengths: number[] = [];
  for (let i = 0; i < hashes.length; i += 1_000) {
    const pipeline = redis.pipeline();
    for (const name of hashes.slice(i, i + 1_000)) pipeline.hlen(name);
    for (const [, n] of (await pipeline.exec()) ?? []) lengths.push(Number(n ?? 0));
  }
  const keys = lengths.reduce((a, b) => a + b, 0);
  // MEMORY USAGE and OBJECT ENCODING of an even sample of the hashes: all
  // of them would take seconds on a shared server, for the same figure.
  const step = Math.max(1, Math.ceil(hashes.length / maxSampled));
  const points: [number, number][] = [];
  const encodings: Record<string, number> = {};
  const sampled: number[] = [];
  for (let i = 0; i < hashes.length; i += step) sampled.push(i);
  for (let i = 0; i < sampled.length; i += 1_000) {
    const pipeline = redis.pipeline();
    const slice = sampled.slice(i, i + 1_000);
    for (const index of slice) {
      pipeline.memory('USAGE', hashes[index] as string, 'SAMPLES', 0);
      pipeline.object('ENCODING', hashes[index] as string);
    }
    const replies = (await pipeline.exec()) ?? [];
    slice.forEach((index, j) => {
      points.push([lengths[index] ?? 0, Number(replies[2 * j]?.[1] ?? 0)]);
      const encoding = String(replies[2 * j + 1]?.[1] ?? 'unknown');
      encodings[encoding] = (encodings[encoding] ?? 0) + 1;
    });
  }
  // Scale the sample's encodings to all hashes.
  for (const [encoding, n] of Object.entries(encodings)) {
    encodings[encoding] = Math.round((n * hashes.length) / Math.max(1, sampled.length));
  }
  const sampledKeys = points.reduce((a, [n]) => a + n, 0);
  const sampledBytes = points.reduce((a, [, b]) => a + b, 0);
  const line = leastSquares(points);
  const config = (await redis.config('GET', 'hash-max-listpack-entries')) as string[];
  const listpackMaxEntries = Number(config[1]);
  return {
    hashes: hashes.length,
    keys,
    bytes: sampledKeys > 0 ? (sampledBytes / sampledKeys) * keys : 0,
    ...(line ? { marginalBytesPerKey: line.slope, bytesPerHash: line.intercept } : {}),
    encodings,
    ...(Number.isFinite(listpackMaxEntries) ? { listpackMaxEntries } : {}),
  };
}

function leastSquares(
  points: readonly [number, number][],
): { slope: number; intercept: number } | undefined {
  if (points.length < 2) return undefined;
  // Hashes of nearly one size (buckets sized for the keys) say nothing of
  // the cost at zero keys: allocator size classes dominate the slope.
  const xs = points.map(([x]) => x);
  if (Math.max(...xs) < 2 * Math.min(...xs)) return undefined;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * What the keys under a pattern hold by INFO memory: used_memory just before
 * and just after deleting them. A delta across the whole run would also
 * count what the server freed or took for others meanwhile (another run's
 * cleanup, its own dict resizing) and has come out negative.
 */
export async function usedMemoryFreedByDeleting(redis: Redis, pattern: string): Promise<number> {
  const before = await usedMemory(redis);
  await deleteUnder(redis, pattern);
  return before - (await usedMemory(redis));
}

/** Deletes every key under a prefix (the run's own; DEL, so that used_memory drops at once). */
export async function deleteUnder(redis: Redis, pattern: string): Promise<number> {
  const keys = await keysUnder(redis, pattern);
  for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
  return keys.length;
}

/** Calls per command so far (INFO commandstats), e.g. { hmget: 123, hset: 45 }. */
export async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[m[1] as string] = Number(m[2]);
  }
  return calls;
}

/** Commands called between two commandstats readings, those with any calls. */
export function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

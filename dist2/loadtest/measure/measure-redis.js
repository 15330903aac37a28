/** INFO memory's used_memory, in bytes. */
export async function usedMemory(redis) {
    const info = await redis.info('memory');
    return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}
/** Every key under a prefix, by SCAN (never KEYS). */
export async function keysUnder(redis, pattern) {
    const keys = [];
    let cursor = '0';
    do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5_000);
        cursor = next;
        keys.push(...batch);
    } while (cursor !== '0');
    return keys;
}
/**
 * What the gateway's dedup store holds under its prefix (see
 * src/dedup/redis-dedup-store.ts: `<prefix>:dd:<generation>:<bucket>`
 * hashes whose fields are the keys).
 */
export async function dedupFootprint(redis, prefix, maxSampled = 4_000) {
    const hashes = await keysUnder(redis, `${prefix}:dd:*`);
    const lengths = [];
    for (let i = 0; i < hashes.length; i += 1_000) {
        const pipeline = redis.pipeline();
        for (const name of hashes.slice(i, i + 1_000))
            pipeline.hlen(name);
        for (const [, n] of (await pipeline.exec()) ?? [])
            lengths.push(Number(n ?? 0));
    }
    const keys = lengths.reduce((a, b) => a + b, 0);
    // MEMORY USAGE and OBJECT ENCODING of an even sample of the hashes: all
    // of them would take seconds on a shared server, for the same figure.
    const step = Math.max(1, Math.ceil(hashes.length / maxSampled));
    const points = [];
    const encodings = {};
    const sampled = [];
    for (let i = 0; i < hashes.length; i += step)
        sampled.push(i);
    for (let i = 0; i < sampled.length; i += 1_000) {
        const pipeline = redis.pipeline();
        const slice = sampled.slice(i, i + 1_000);
        for (const index of slice) {
            pipeline.memory('USAGE', hashes[index], 'SAMPLES', 0);
            pipeline.object('ENCODING', hashes[index]);
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
    const config = (await redis.config('GET', 'hash-max-listpack-entries'));
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
function leastSquares(points) {
    if (points.length < 2)
        return undefined;
    // Hashes of nearly one size (buckets sized for the keys) say nothing of
    // the cost at zero keys: allocator size classes dominate the slope.
    const xs = points.map(([x]) => x);
    if (Math.max(...xs) < 2 * Math.min(...xs))
        return undefined;
    const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
    const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
    let sxy = 0;
    let sxx = 0;
    for (const [x, y] of points) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) ** 2;
    }
    if (sxx === 0)
        return undefined;
    const slope = sxy / sxx;
    return { slope, intercept: my - slope * mx };
}
/**
 * What the keys under a pattern hold by INFO memory: used_memory just before
 * and just after deleting them. A delta across the whole run would also
 * count what the server freed or took for others meanwhile (another run's
 * cleanup, its own dict resizing) and has come out negative.
 */
export async function usedMemoryFreedByDeleting(redis, pattern) {
    const before = await usedMemory(redis);
    await deleteUnder(redis, pattern);
    return before - (await usedMemory(redis));
}
/** Deletes every key under a prefix (the run's own; DEL, so that used_memory drops at once). */
export async function deleteUnder(redis, pattern) {
    const keys = await keysUnder(redis, pattern);
    for (let i = 0; i < keys.length; i += 1_000)
        await redis.del(...keys.slice(i, i + 1_000));
    return keys.length;
}
/** Calls per command so far (INFO commandstats), e.g. { hmget: 123, hset: 45 }. */
export async function commandCalls(redis) {
    const info = await redis.info('commandstats');
    const calls = {};
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        calls[m[1]] = Number(m[2]);
    }
    return calls;
}
/** Commands called between two commandstats readings, those with any calls. */
export function commandDelta(before, after) {
    const delta = {};
    for (const [name, n] of Object.entries(after)) {
        const d = n - (before[name] ?? 0);
        if (d > 0)
            delta[name] = d;
    }
    return delta;
}
//# sourceMappingURL=measure-redis.js.map
import { commandCalls, commandDelta, dedupFootprint, usedMemory, usedMemoryFreedByDeleting, } from '../measure/measure-redis.js';
/**
 * The commands the dedup store's scripts run (src/dedup/lua/): INFO
 * commandstats counts a script's inner calls under their own names.
 */
const DEDUP_COMMANDS = ['hexists', 'hset', 'pexpireat', 'hlen'];
export async function readRedisBefore(redis) {
    return { usedBytes: await usedMemory(redis), calls: await commandCalls(redis) };
}
/**
 * What the run's dedup keys cost Redis, read while the gateway still runs:
 * their own memory (what deleting them frees; with --keep they stay, and
 * only the noisier delta across the whole run is left) and the commands
 * per message the sink handled.
 */
export async function redisFigures(redis, redisPrefix, options, before, messagesHandled) {
    const footprint = await dedupFootprint(redis, redisPrefix);
    const usedMemoryMethod = options.keep ? 'delta across the run' : 'freed by DEL';
    const dedupUsedBytes = options.keep
        ? (await usedMemory(redis)) - before.usedBytes
        : await usedMemoryFreedByDeleting(redis, `${redisPrefix}:dd:*`);
    const calls = commandDelta(before.calls, await commandCalls(redis));
    const dedupCalls = DEDUP_COMMANDS.reduce((a, c) => a + (calls[c] ?? 0), 0);
    const scriptCalls = (calls.evalsha ?? 0) + (calls.eval ?? 0);
    const perMessage = (n) => (messagesHandled > 0 ? n / messagesHandled : 0);
    const perKey = (n) => footprint.keys > 0 && Number.isFinite(n) ? n / footprint.keys : undefined;
    const bytesPerKeyUsed = perKey(dedupUsedBytes);
    const bytesPerKeyUsage = perKey(footprint.bytes);
    const optional = (key, value) => (value === undefined ? {} : { [key]: value });
    return {
        keys: footprint.keys,
        hashes: footprint.hashes,
        buckets: Number(options.gatewayEnv.ADGATE_DEDUP_REDIS_BUCKETS ?? options.dedupBuckets),
        ...optional('bytesPerKeyUsedMemory', bytesPerKeyUsed),
        ...optional('bytesPerKeyMemoryUsage', bytesPerKeyUsage),
        ...optional('dedupUsedMemoryBytes', Number.isFinite(dedupUsedBytes) ? dedupUsedBytes : undefined),
        usedMemoryMethod,
        ...optional('marginalBytesPerKey', footprint.marginalBytesPerKey),
        ...optional('bytesPerHash', footprint.bytesPerHash),
        encodings: footprint.encodings,
        dedupCommandsPerMessage: perMessage(dedupCalls),
        dedupScriptCallsPerMessage: perMessage(scriptCalls),
        commandCalls: calls,
        ...optional('listpackMaxEntries', footprint.listpackMaxEntries),
    };
}
//# sourceMappingURL=redis-figures.js.map
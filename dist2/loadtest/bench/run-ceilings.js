import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyCeiling } from '../ceilings/copy-ceiling.js';
import { consumerCeiling, kafkaToolsAvailable, producerCeiling, } from '../ceilings/kafka-perf.js';
import { redisCeiling } from '../ceilings/redis-ceiling.js';
import { sampleStream } from '../ceilings/sample-rows.js';
import { writePathCeiling } from '../ceilings/write-path.js';
import { createDatabase, createTopics, dropDatabase } from '../common/resources.js';
import { topicEnd } from '../measure/measure-lag.js';
import { fmtInt } from '../report/report-table.js';
/**
 * Each stage's ceiling on the run's own stream, before the gateway starts
 * so that nothing competes with them: Kafka produce and consume, a raw
 * COPY, a pipelined Redis SET; and, as a diagnosis, adgate's own write path.
 */
export async function runCeilings(run, options, stream, databaseUrl) {
    run.say(`ceilings: sampling ${fmtInt(options.ceilingSample)} messages of the stream`);
    const sample = sampleStream(stream, options.ceilingSample);
    const ceilings = kafkaToolsAvailable(options.kafkaLibs)
        ? await kafkaCeilings(run, options, sample)
        : ['kafka produce', 'kafka consume'].map((name) => ({
            name,
            perSecond: 0,
            records: 0,
            seconds: 0,
            detail: '',
            problem: `no kafka-tools jar in ${options.kafkaLibs} (run scripts/stack.sh up)`,
        }));
    const copy = await copyCeiling(databaseUrl, sample.rows, options.ceilingSeconds);
    ceilings.push(copy);
    run.say(`ceiling postgres COPY: ${fmtInt(copy.perSecond)} rows/s`);
    const { redis, names } = run;
    const set = await redisCeiling(redis, names.ceilingRedisPrefix, sample.rows, options.ceilingSeconds);
    ceilings.push(set);
    run.say(`ceiling redis SET: ${fmtInt(set.perSecond)} keys/s`);
    ceilings.push(await writePathDiagnosis(run, options, sample));
    return ceilings;
}
/** Kafka's ProducerPerformance with the stream's payloads, then ConsumerPerformance over them. */
async function kafkaCeilings(run, options, sample) {
    const { admin, names } = run;
    await createTopics(admin, [names.ceilingTopic], options.partitions);
    const payloadFile = join(tmpdir(), `${names.base}-payloads.txt`);
    let produced;
    try {
        produced = await producerCeiling({
            libs: options.kafkaLibs,
            brokers: options.kafkaBrokers,
            topic: names.ceilingTopic,
            records: options.ceilingRecords,
            seconds: options.ceilingSeconds,
            payloads: sample.payloads.slice(0, 20_000),
            payloadFile,
        });
        run.say(`ceiling kafka produce: ${fmtInt(produced.perSecond)}/s ${produced.problem ?? ''}`);
    }
    finally {
        await rm(payloadFile, { force: true });
    }
    const consumed = await consumerCeiling({
        libs: options.kafkaLibs,
        brokers: options.kafkaBrokers,
        topic: names.ceilingTopic,
        group: `${names.base}.ceiling-consumer`,
        records: await topicEnd(admin, names.ceilingTopic),
        seconds: Math.max(10, options.ceilingSeconds * 4),
    });
    run.say(`ceiling kafka consume: ${fmtInt(consumed.perSecond)}/s ${consumed.problem ?? ''}`);
    await admin.deleteTopics({ topics: [names.ceilingTopic] }).catch(() => undefined);
    return [produced, consumed];
}
/** adgate's writeEvents alone on the same rows, in a scratch database: a diagnosis, not a ceiling. */
async function writePathDiagnosis(run, options, sample) {
    const scratch = await createDatabase(options.pgAdminUrl, run.names.scratchDatabase);
    try {
        const days = streamDays(options.nowMs);
        const writes = await writePathCeiling(scratch, sample.rows, days, options.ceilingSeconds);
        run.say(`diagnosis, adgate writeEvents alone: ${fmtInt(writes.perSecond)} rows/s`);
        return writes;
    }
    finally {
        await dropDatabase(options.pgAdminUrl, run.names.scratchDatabase);
    }
}
/** Days (UTC) the stream's occurred_at fall on: the hour before --now. */
export function streamDays(nowMs) {
    const days = new Set();
    for (let t = nowMs - 3_700_000; t <= nowMs + 60_000; t += 600_000) {
        days.add(new Date(t).toISOString().slice(0, 10));
    }
    return [...days];
}
//# sourceMappingURL=run-ceilings.js.map
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
/** Allowance for the JVM to start, join and fetch metadata before measuring. */
const JVM_START_MS = 5_000;
/** Runs a class of the Kafka jars (kafka-tools) with a deadline; SIGKILL past it. */
function runKafkaTool(libs, mainClass, args, timeoutMs) {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn('java', ['-Xmx512m', '-cp', join(libs, '*'), mainClass, ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (d) => {
            output += d.toString();
        });
        child.stderr.on('data', (d) => {
            output += d.toString();
        });
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutMs);
        child.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.once('exit', (code) => {
            clearTimeout(timer);
            resolve({ output, timedOut, code, seconds: (performance.now() - started) / 1000 });
        });
    });
}
/** Whether `libs` holds the kafka-tools jar (scripts/stack.sh fetches it). */
export function kafkaToolsAvailable(libs) {
    return existsSync(libs) && readdirSync(libs).some((f) => /^kafka-tools-[\d.]+\.jar$/.test(f));
}
/**
 * Kafka's own producer ceiling: ProducerPerformance with the stream's real
 * payloads (one JSON event per line of a payload file, so the same message
 * sizes), acks=all, as fast as it goes, for at most `records` records or
 * `seconds` of sending (then it is stopped). Its final line reads
 * "N records sent, X records/sec (…) … 99th"; when stopped first, the rate
 * is that of its 1-second report windows, the first (warm-up) left out.
 */
export async function producerCeiling(options) {
    await writeFile(options.payloadFile, `${options.payloads.join('\n')}\n`);
    // JVM start and metadata take a few seconds before the first record.
    const deadlineMs = options.seconds * 1000 + JVM_START_MS;
    const run = await runKafkaTool(options.libs, 'org.apache.kafka.tools.ProducerPerformance', [
        '--topic',
        options.topic,
        '--num-records',
        String(options.records),
        '--throughput',
        '-1',
        '--reporting-interval',
        '1000',
        '--payload-file',
        options.payloadFile,
        '--command-property',
        `bootstrap.servers=${options.brokers}`,
        'acks=all',
    ], deadlineMs);
    const detail = `ProducerPerformance, acks=all, the stream's payloads`;
    const final = /^(\d+) records sent, ([\d.]+) records\/sec .*99th/m.exec(run.output);
    if (final !== null) {
        return {
            name: 'kafka produce',
            perSecond: Number(final[2]),
            records: Number(final[1]),
            seconds: Number(final[1]) / Math.max(1e-9, Number(final[2])),
            detail: `${detail}, ran to its end`,
        };
    }
    const windows = [...run.output.matchAll(/^(\d+) records sent, ([\d.]+) records\/sec/gm)]
        .map((m) => ({ records: Number(m[1]), rate: Number(m[2]) }))
        .filter((w) => w.rate > 0);
    const steady = windows.length > 1 ? windows.slice(1) : windows;
    const records = steady.reduce((a, w) => a + w.records, 0);
    const seconds = steady.reduce((a, w) => a + w.records / w.rate, 0);
    if (records === 0 || seconds === 0) {
        return {
            name: 'kafka produce',
            perSecond: 0,
            records: 0,
            seconds: run.seconds,
            detail,
            problem: `no result (exit ${run.code}${run.timedOut ? ', stopped at the deadline' : ''}): ${run.output.slice(-300)}`,
        };
    }
    return {
        name: 'kafka produce',
        perSecond: records / seconds,
        records,
        seconds,
        detail: `${detail}, stopped after ${options.seconds} s: mean of ${steady.length} 1-s windows`,
    };
}
/**
 * Kafka's own consumer ceiling: ConsumerPerformance over the records the
 * producer ceiling wrote. Its CSV line ends with fetch.nMsg.sec, the rate
 * without the group join, which is what a running sink sees.
 */
export async function consumerCeiling(options) {
    const run = await runKafkaTool(options.libs, 'org.apache.kafka.tools.ConsumerPerformance', [
        '--bootstrap-server',
        options.brokers,
        '--topic',
        options.topic,
        '--group',
        options.group,
        '--num-records',
        String(options.records),
        '--timeout',
        '10000',
    ], options.seconds * 1000 + JVM_START_MS);
    const detail = `ConsumerPerformance, ${options.records} records, fetch.nMsg.sec`;
    // start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    const row = /^\d{4}-\d\d-\d\d [\d:]+, \d{4}-\d\d-\d\d [\d:]+, (.*)$/m.exec(run.output);
    const values = row?.[1]?.split(',').map((v) => Number(v.trim()));
    if (values === undefined || values.length < 8) {
        return {
            name: 'kafka consume',
            perSecond: 0,
            records: 0,
            seconds: run.seconds,
            detail,
            problem: `no result (exit ${run.code}${run.timedOut ? ', timed out' : ''}): ${run.output.slice(-300)}`,
        };
    }
    const records = values[2] ?? 0;
    const fetchMs = values[5] ?? 0;
    return {
        name: 'kafka consume',
        perSecond: values[7] ?? 0,
        records,
        seconds: fetchMs / 1000,
        detail,
        ...(records < options.records ? { problem: `read ${records} of ${options.records}` } : {}),
    };
}
//# sourceMappingURL=kafka-perf.js.map
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { verifyTotals } from '../../testkit/verify-outcome.js';
import { topicEnd } from '../measure/measure-lag.js';
import { benchNames, createDatabase, createKafka, createTopics, removeResources, } from './resources.js';
import { createSay } from './say.js';
/** Names, clients and the output folder `<out>/<timestamp><suffix>/` of a new run. */
export async function openRun(kind, options, outSuffix = '') {
    const startedAt = new Date();
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const outDir = join(options.outDir, `${stamp}${outSuffix}`);
    await mkdir(outDir, { recursive: true });
    const kafka = createKafka(options.kafkaBrokers);
    const admin = kafka.admin();
    await admin.connect();
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
    const names = benchNames(kind);
    return {
        startedAt,
        outDir,
        names,
        kafka,
        admin,
        redis,
        loadAtStart: loadavg(),
        say: createSay(),
    };
}
/** `cpus` and the load average, for the run's first line. */
export function machineLine(run) {
    const load = run.loadAtStart.map((n) => n.toFixed(2)).join(' ');
    return `${cpus().length} CPUs, load average ${load}; run ${run.names.base}`;
}
/** The run's database and its three topics (events, DLQ, dead); the database's URL. */
export async function createRunResources(run, options) {
    run.say('setup: database, topics');
    const databaseUrl = await createDatabase(options.pgAdminUrl, run.names.database);
    const { topic, dlqTopic, deadTopic } = run.names;
    await createTopics(run.admin, [topic, dlqTopic, deadTopic], options.partitions);
    return databaseUrl;
}
/** Removes what the run created (unless --keep), then closes its clients. */
export async function closeRun(run, options) {
    const { names, say } = run;
    if (!options.keep) {
        say('cleanup: topics, groups, Redis keys, databases of this run (--keep to keep them)');
        const problems = await removeResources(names, run.admin, run.redis, options.pgAdminUrl);
        for (const p of problems)
            say(`cleanup: ${p}`);
    }
    else {
        say(`kept: topics ${names.topic}*, databases ${names.database}*, Redis prefix ${names.redisPrefix}`);
    }
    await run.admin.disconnect().catch(() => undefined);
    run.redis.disconnect();
}
export function machineFacts(run, note) {
    return {
        cpus: cpus().length,
        loadAverageAtStart: run.loadAtStart,
        loadAverageAtEnd: loadavg(),
        node: process.version,
        note,
    };
}
export async function readOutcome(run, databaseUrl, expected) {
    const { admin, names } = run;
    const messagesInTopic = await topicEnd(admin, names.topic);
    const dlqMessages = (await topicEnd(admin, names.dlqTopic)) + (await topicEnd(admin, names.deadTopic));
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
        return { messagesInTopic, dlqMessages, verdict: await verifyTotals(pool, expected) };
    }
    finally {
        await pool.end().catch(() => undefined);
    }
}
/** Writes result.json and report.html, prints the table and where the files are. */
export async function writeReport(files, result, html, table, more) {
    await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files.html, html);
    console.log('');
    console.log(table);
    console.log('');
    console.log(`result: ${files.json}`);
    console.log(`chart:  ${files.html}`);
    for (const line of more)
        console.log(line);
}
//# sourceMappingURL=bench-run.js.map
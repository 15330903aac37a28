import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { deleteUnder } from '../measure/measure-redis.js';
export function benchNames(kind = 'bench') {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const base = `${kind}-${stamp}-${randomBytes(3).toString('hex')}`;
    const db = base.replaceAll('-', '_');
    return {
        base,
        topic: `${base}.events`,
        dlqTopic: `${base}.events.dlq`,
        deadTopic: `${base}.events.dead`,
        ceilingTopic: `${base}.ceiling`,
        group: `${base}.sink`,
        baselineGroup: `${base}.baseline`,
        redisPrefix: base,
        baselineRedisPrefix: `${base}-baseline`,
        ceilingRedisPrefix: `${base}-ceiling`,
        database: `adgate_${db}`,
        baselineDatabase: `adgate_${db}_baseline`,
        scratchDatabase: `adgate_${db}_scratch`,
    };
}
export function createKafka(brokers) {
    return new Kafka({
        clientId: 'adgate-bench',
        brokers: brokers.split(','),
        logLevel: logLevel.NOTHING,
    });
}
/** The URL of another database on the same server as `adminUrl`. */
export function databaseUrl(adminUrl, database) {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return url.toString();
}
export async function createDatabase(adminUrl, database) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
        await client.query(`CREATE DATABASE ${database}`);
    }
    finally {
        await client.end();
    }
    return databaseUrl(adminUrl, database);
}
export async function dropDatabase(adminUrl, database) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
    finally {
        await client.end();
    }
}
export async function createTopics(admin, topics, partitions) {
    await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
}
/** Removes what the run created; each step on its own, so that one failure leaves the rest done. */
export async function removeResources(names, admin, redis, adminUrl) {
    const problems = [];
    const attempt = async (what, step) => {
        try {
            await step();
        }
        catch (error) {
            problems.push(`${what}: ${error.message}`);
        }
    };
    const existing = new Set(await admin.listTopics().catch(() => []));
    const topics = [names.topic, names.dlqTopic, names.deadTopic, names.ceilingTopic].filter((t) => existing.has(t));
    if (topics.length > 0)
        await attempt('delete topics', () => admin.deleteTopics({ topics }));
    await attempt('delete consumer groups', async () => {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
        const ours = groups.filter((g) => g.startsWith(names.base));
        if (ours.length > 0)
            await admin.deleteGroups(ours);
    });
    for (const prefix of [names.redisPrefix, names.baselineRedisPrefix, names.ceilingRedisPrefix]) {
        await attempt(`delete Redis keys ${prefix}:*`, () => deleteUnder(redis, `${prefix}:*`));
    }
    for (const db of [names.database, names.baselineDatabase, names.scratchDatabase]) {
        await attempt(`drop database ${db}`, () => dropDatabase(adminUrl, db));
    }
    return problems;
}
/** The gateway's environment for a run's own resources (topics, group, database, Redis prefix). */
export function gatewayEnvFor(names, servers, databaseUrl) {
    return {
        ADGATE_KAFKA_BROKERS: servers.kafkaBrokers,
        ADGATE_REDIS_URL: servers.redisUrl,
        ADGATE_DATABASE_URL: databaseUrl,
        ADGATE_TOPIC: names.topic,
        ADGATE_DLQ_TOPIC: names.dlqTopic,
        ADGATE_DEAD_TOPIC: names.deadTopic,
        ADGATE_TOPIC_PARTITIONS: String(servers.partitions),
        ADGATE_CONSUMER_GROUP: names.group,
        ADGATE_REDIS_KEY_PREFIX: names.redisPrefix,
        ADGATE_LOG_LEVEL: servers.gatewayLogLevel,
    };
}
//# sourceMappingURL=resources.js.map
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
const run = promisify(execFile);
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// The jars scripts/stack.sh fetched for the shared broker (the test command runs it first).
const KAFKA_LIBS = join(process.env.STACK_DIR ?? join(REPO, '.cache', 'stack'), 'kafka-4.3.1', 'libs');
/**
 * A single-node KRaft broker of one test's own whose only client listener
 * is SASL_SSL (PLAIN and SCRAM-SHA-256 for `user`), with a PEM keystore
 * signed by the test's CA: the secured set-up a production cluster has,
 * from the same jars as the local stack.
 */
export async function startPrivateSecureKafka(tls, user) {
    const dir = await mkdtemp(join(tmpdir(), 'adgate-kafka-'));
    const [port, controller, internal] = [await freePort(), await freePort(), await freePort()];
    const caPem = await readFile(tls.caFile, 'utf8');
    const keystore = join(dir, 'keystore.pem');
    await writeFile(keystore, (await readFile(tls.keyFile, 'utf8')) + (await readFile(tls.certFile, 'utf8')));
    const config = join(dir, 'server.properties');
    await writeFile(config, serverProperties({ dir, port, controller, internal, keystore, user }));
    const java = (args) => run('java', ['-Xmx256m', '-cp', `${KAFKA_LIBS}/*`, ...args], { timeout: 120_000 });
    await java([
        'kafka.tools.StorageTool',
        'format',
        '-t',
        randomUUID().replace(/-/g, '').slice(0, 22),
        '-c',
        config,
        '--add-scram',
        `SCRAM-SHA-256=[name=${user.username},password=${user.password}]`,
    ]);
    const child = spawn('java', ['-Xmx384m', '-Xms384m', '-XX:+UseG1GC', '-cp', `${KAFKA_LIBS}/*`, 'kafka.Kafka', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d.toString()));
    child.stderr?.on('data', (d) => (output += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const brokers = `127.0.0.1:${port}`;
    const client = (u, mechanism) => new Kafka({
        clientId: 'adgate-test-secure',
        brokers: [brokers],
        ssl: { ca: [caPem], rejectUnauthorized: true },
        sasl: { mechanism, username: u.username, password: u.password },
        logLevel: logLevel.NOTHING,
    });
    const kafka = {
        brokers,
        client,
        async stop() {
            if (child.exitCode === null && child.signalCode === null)
                child.kill('SIGTERM');
            await within(60_000, 'private broker exit', exited).catch(() => child.kill('SIGKILL'));
            await rm(dir, { recursive: true, force: true });
        },
        log: async () => output,
    };
    try {
        await waitFor('the private SASL_SSL broker', async () => {
            if (child.exitCode !== null)
                throw new Error(`broker exited:\n${output.slice(-3000)}`);
            const admin = client(user, 'plain').admin();
            try {
                await admin.connect();
                await admin.listTopics();
                return true;
            }
            catch {
                return false;
            }
            finally {
                await admin.disconnect().catch(() => undefined);
            }
        }, 120_000, 500);
    }
    catch (error) {
        await kafka.stop();
        throw error;
    }
    return kafka;
}
function serverProperties(o) {
    const plainUser = `user_${o.user.username}="${o.user.password}"`;
    return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${o.controller}
listeners=SASL_SSL://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controller},INTERNAL://127.0.0.1:${o.internal}
advertised.listeners=SASL_SSL://127.0.0.1:${o.port},INTERNAL://127.0.0.1:${o.internal}
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUser};
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=${o.keystore}
log.dirs=${join(o.dir, 'data')}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=1
num.io.threads=2
`;
}
//# sourceMappingURL=private-kafka.js.map
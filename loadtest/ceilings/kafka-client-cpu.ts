/**
 * The CPU adgate's Kafka client spends per message, alone: N bench events
 * produced through createProducer (sends of 100, a chunk of 5,000 in flight
 * at a time, as the HTTP ingress's coalesced sends go), then read back
 * through a kafkajs consumer from createKafka; this process's CPU (user +
 * system) per message for each half. A diagnosis of the client code
 * (kafkajs and adgate's stand-ins for its encoders and decoder), not a
 * ceiling: to compare two builds, run each in turn, several times, in one
 * session.
 *
 *   node dist/loadtest/ceilings/kafka-client-cpu.js [--messages 200000] [--brokers 127.0.0.1:9092]
 */
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import type { OutboundMessage } from '../../src/kafka/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';

const USAGE = `usage: kafka-client-cpu.js [--messages N] [--brokers HOST:PORT,...]
  --messages N   bench events to produce and read back (default 200000)
  --brokers B    Kafka bootstrap servers (default 127.0.0.1:9092)
Prints the process's CPU µs per message produced, then per message consumed.
`;
const SEND = 100;
const PARTITIONS = 6;
const WARM_UP: OutboundMessage[] = [{ key: 'warm-up', value: Buffer.from('{}'), headers: {} }];

function parse(argv: readonly string[]): { messages: number; brokers: string[] } | undefined {
  if (argv.includes('--help')) return undefined;
  const value = (name: string, fallback: string): string => {
    const at = argv.indexOf(name);
    return at === -1 ? fallback : (argv[at + 1] ?? '');
  };
  const messages = Number(value('--messages', '200000'));
  if (!Number.isSafeInteger(messages) || messages < SEND) {
    throw new Error(`--messages must be a whole number of at least ${SEND}`);
  }
  return { messages, brokers: value('--brokers', '127.0.0.1:9092').split(',') };
}

/** The bench stream's events as the HTTP ingress sends them, in chunks of 5,000. */
function prepare(messages: number): OutboundMessage[][] {
  const chunks = generateChunks({
    seed: 5,
    chunkSize: 5_000,
    duplicateShare: 0.1,
    malformedShare: 0,
    outOfOrderShare: 0.1,
  });
  const out: OutboundMessage[][] = [];
  for (let n = 0; n < messages; ) {
    const items = chunks.next().value.items.slice(0, messages - n);
    out.push(
      items.map((item) => ({
        key: item.key,
        value: Buffer.from(item.json),
        headers: { 'adgate-source': 'ad-server-1' },
        timestampMs: Date.now(),
      })),
    );
    n += items.length;
  }
  return out;
}

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

async function produce(kafka: Kafka, topic: string, chunks: OutboundMessage[][]): Promise<number> {
  const producer = createProducer(kafka, createLogger('warn'));
  try {
    // Connected and the topic's metadata known before the count starts.
    await producer.send(topic, WARM_UP, 30_000);
    const started = process.cpuUsage();
    for (const chunk of chunks) {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < chunk.length; i += SEND) {
        sends.push(producer.send(topic, chunk.slice(i, i + SEND), 30_000));
      }
      await Promise.all(sends);
    }
    return cpuMicros(started);
  } finally {
    await producer.close();
  }
}

async function consume(kafka: Kafka, topic: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxBytes: 10 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let started: NodeJS.CpuUsage | undefined;
  let read = 0;
  let touched = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          started ??= process.cpuUsage();
          // What the sink reads of each message first (wrap-batch.ts).
          for (const m of batch.messages)
            touched += Number(BigInt(m.offset) & 1n) + Number(m.timestamp);
          read += batch.messages.length;
          if (read >= total) resolve();
        },
      })
      .catch(reject);
  });
  // `touched` is read so that the per-message reads above are not dropped as dead code.
  const used = started === undefined || touched < 0 ? 0 : cpuMicros(started);
  await consumer.disconnect();
  return used;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(USAGE);
    return;
  }
  const log = createLogger('warn');
  const kafka = createKafka({ clientId: 'adgate-client-cpu', brokers: options.brokers }, log);
  const topic = `bench-client-cpu-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
    const chunks = prepare(options.messages);
    process.stdout.write(`producing ${options.messages} bench events to ${topic}…\n`);
    const produced = await produce(kafka, topic, chunks);
    process.stdout.write(
      `produce: ${(produced / options.messages).toFixed(2)} µs CPU per message\n`,
    );
    const consumed = await consume(kafka, topic, options.messages + WARM_UP.length);
    process.stdout.write(
      `consume: ${(consumed / options.messages).toFixed(2)} µs CPU per message\n`,
    );
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`kafka-client-cpu: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});

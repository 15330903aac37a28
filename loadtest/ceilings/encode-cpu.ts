/**
 * The CPU the HTTP ingress's Produce requests take to encode, alone:
 * produce-request.ts (each record, each partition's batch and its CRC32C,
 * the request body; not the frame or the socket) on N bench events as the
 * producer hands them over (key, value, the source header, the timestamp
 * as text), `--per-request` of them a request over six partitions, in
 * rounds (cpu-rounds.ts). The stage kafka-client-cpu's produce half
 * measures inside a whole client, without the broker's noise.
 *
 *   node dist/loadtest/ceilings/encode-cpu.js [--messages 200000] [--rounds 6] [--per-request 1000]
 */
import { type ProduceMessage, produceRequestV3 } from '../../src/kafka/produce-request.js';
import type { InboundMessage } from '../../src/kafka/types.js';
import { benchMessages, medianCpuPerMessage, runCpuTool } from './cpu-rounds.js';

const TOOL = {
  name: 'encode-cpu',
  summary:
    "The ingress's Produce request encoding alone (records, batches, CRC32C), on the bench's events.",
  extra: [
    {
      name: 'per-request',
      value: 'P',
      fallback: '1000',
      help: 'messages in one Produce request, over six partitions',
    },
  ],
};

const PARTITIONS = 6;

/** The requests' arguments, as kafkajs's producer passes them for a send of these messages. */
function requests(messages: readonly InboundMessage[], perRequest: number) {
  const out: Parameters<typeof produceRequestV3>[0][] = [];
  for (let at = 0; at < messages.length; at += perRequest) {
    const byPartition = Array.from({ length: PARTITIONS }, () => [] as ProduceMessage[]);
    for (const m of messages.slice(at, at + perRequest)) {
      byPartition[m.partition % PARTITIONS]?.push({
        key: m.key?.toString('utf8') ?? null,
        value: m.value,
        headers: { 'adgate-source': 'ad-server-1' },
        timestamp: String(m.timestampMs),
      });
    }
    const partitions = byPartition
      .map((group, partition) => ({ partition, firstSequence: 0, messages: group }))
      .filter((p) => p.messages.length > 0);
    out.push({ acks: -1, timeout: 30_000, topicData: [{ topic: 'events', partitions }] });
  }
  return out;
}

await runCpuTool(TOOL, async ({ messages: count, rounds }, read) => {
  const sends = requests(benchMessages(count), read.int('per-request', 1));
  let bytes = 0;
  const median = await medianCpuPerMessage(rounds, count, async () => {
    bytes = 0;
    for (const args of sends) bytes += (await produceRequestV3(args).encode()).buffer.length;
  });
  process.stdout.write(
    `Produce request encoding: ${median.toFixed(2)} µs CPU per message (median), ${(bytes / count).toFixed(0)} bytes a message\n`,
  );
});

/**
 * The CPU the sink's per-message decode takes, alone: decodeMessage (size,
 * UTF-8, JSON, SPEC §1, the source header, the idempotency key: what every
 * Kafka message goes through before dedup) on N bench events as the sink
 * reads them, several rounds over the same messages (the first warms the
 * JIT up and is left out); the median of the rest, in this process's CPU
 * (user + system, collection included) per message. A diagnosis of one
 * stage, not a ceiling: to compare two builds, run each in turn, several
 * times, in one session.
 *
 *   node dist/loadtest/ceilings/decode-cpu.js [--messages 200000] [--rounds 6]
 */
import { loadConfig } from '../../src/config/load-config.js';
import type { EventRules } from '../../src/event/decode-event.js';
import type { InboundMessage } from '../../src/kafka/types.js';
import { decodeMessage } from '../../src/sink/decode-message.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';

const USAGE = `usage: decode-cpu.js [--messages N] [--rounds R]
  --messages N   bench events to decode each round (default 200000)
  --rounds R     rounds over them, the first left out as warm-up (default 6, at least 2)
Prints each round's CPU µs per message, then their median.
`;

function parse(argv: readonly string[]): { messages: number; rounds: number } | undefined {
  if (argv.includes('--help')) return undefined;
  const value = (name: string, fallback: string): number => {
    const at = argv.indexOf(name);
    return Number(at === -1 ? fallback : (argv[at + 1] ?? ''));
  };
  const messages = value('--messages', '200000');
  const rounds = value('--rounds', '6');
  if (!Number.isSafeInteger(messages) || messages < 1) {
    throw new Error('--messages must be a whole number of at least 1');
  }
  if (!Number.isSafeInteger(rounds) || rounds < 2) {
    throw new Error('--rounds must be a whole number of at least 2');
  }
  return { messages, rounds };
}

/** The bench stream's events as the sink reads them from the topic. */
function prepare(messages: number): InboundMessage[] {
  const chunks = generateChunks({
    seed: 7,
    chunkSize: 10_000,
    duplicateShare: 0.1,
    malformedShare: 0,
    outOfOrderShare: 0.1,
  });
  const out: InboundMessage[] = [];
  const receivedMs = Date.now();
  while (out.length < messages) {
    for (const item of chunks.next().value.items.slice(0, messages - out.length)) {
      out.push({
        topic: 'events',
        partition: out.length % 6,
        offset: BigInt(out.length),
        key: Buffer.from(item.key),
        value: Buffer.from(item.json),
        headers: { 'adgate-source': Buffer.from('ad-server-1') },
        timestampMs: receivedMs,
      });
    }
  }
  return out;
}

function round(messages: readonly InboundMessage[], rules: EventRules): number {
  let events = 0;
  const started = process.cpuUsage();
  for (const message of messages) {
    if (decodeMessage(message, rules).kind === 'event') events += 1;
  }
  const used = process.cpuUsage(started);
  if (events !== messages.length) throw new Error(`${messages.length - events} dead letters`);
  return (used.user + used.system) / messages.length;
}

function main(): number {
  const options = parse(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig({});
  const rules: EventRules = {
    window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
    maxEventBytes: config.ADGATE_MAX_EVENT_BYTES,
  };
  const messages = prepare(options.messages);
  const perRound: number[] = [];
  for (let r = 0; r < options.rounds; r += 1) {
    const micros = round(messages, rules);
    process.stdout.write(`round ${r + 1}${r === 0 ? ' (warm-up)' : ''}: ${micros.toFixed(2)} µs\n`);
    if (r > 0) perRound.push(micros);
  }
  perRound.sort((a, b) => a - b);
  const middle = perRound.length / 2;
  const median = Number.isInteger(middle)
    ? ((perRound[middle - 1] as number) + (perRound[middle] as number)) / 2
    : (perRound[Math.floor(middle)] as number);
  process.stdout.write(`decodeMessage: ${median.toFixed(2)} µs CPU per message (median)\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`decode-cpu: ${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exitCode = 2;
}

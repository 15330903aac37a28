/**
 * What the one-stage CPU tools share (decode-cpu, encode-cpu): their
 * options, the bench's events as Kafka carries them, and the rounds over
 * the same messages, the first warming the JIT up and left out, reported
 * as this process's CPU (user + system, collection included) per message
 * and their median. A diagnosis of one stage, not a ceiling: to compare
 * two builds, run each in turn, several times, in one session.
 */
import type { InboundMessage } from '../../src/kafka/types.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';

export interface RoundOptions {
  readonly messages: number;
  readonly rounds: number;
}

export const ROUND_OPTIONS_USAGE = `  --messages N   bench events each round (default 200000)
  --rounds R     rounds over them, the first left out as warm-up (default 6, at least 2)
Prints each round's CPU µs per message, then their median.
`;

/** --messages and --rounds; undefined for --help. Throws on a bad value. */
export function parseRoundOptions(argv: readonly string[]): RoundOptions | undefined {
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

/** The bench stream's events as the sink reads them from the topic (six partitions). */
export function benchMessages(messages: number): InboundMessage[] {
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

/**
 * Runs `round` (which handles every message once) `rounds` times, prints
 * each round's CPU µs per message, and returns the median of all but the first.
 */
export async function medianCpuPerMessage(
  rounds: number,
  messages: number,
  round: () => void | Promise<void>,
): Promise<number> {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const started = process.cpuUsage();
    await round();
    const used = process.cpuUsage(started);
    const micros = (used.user + used.system) / messages;
    process.stdout.write(`round ${r + 1}${r === 0 ? ' (warm-up)' : ''}: ${micros.toFixed(2)} µs\n`);
    if (r > 0) perRound.push(micros);
  }
  perRound.sort((a, b) => a - b);
  const middle = perRound.length / 2;
  return Number.isInteger(middle)
    ? ((perRound[middle - 1] as number) + (perRound[middle] as number)) / 2
    : (perRound[Math.floor(middle)] as number);
}

/** The tool's exit: its usage on --help (0), its error and usage on a bad option (2). */
export async function runCpuTool(
  name: string,
  usage: string,
  body: (options: RoundOptions) => Promise<void>,
): Promise<void> {
  try {
    const options = parseRoundOptions(process.argv.slice(2));
    if (options === undefined) process.stdout.write(usage);
    else await body(options);
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : error}\n${usage}`);
    process.exitCode = 2;
  }
}

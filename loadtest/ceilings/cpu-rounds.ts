/**
 * What the one-stage CPU tools share (decode-cpu, encode-cpu, dedup-cpu, log-cpu): their
 * options, the bench's events as Kafka carries them, and the rounds over
 * the same messages, the first warming the JIT up and left out, reported
 * as this process's CPU (user + system, collection included) per message
 * and their median. A diagnosis of one stage, not a ceiling: to compare
 * two builds, run each in turn, several times, in one session.
 */
import type { InboundMessage } from '../../src/kafka/types.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import {
  type GivenOptions,
  type OptionReader,
  type OptionSpec,
  optionLines,
  optionReader,
  readArgv,
  UsageError,
} from '../common/options.js';

export interface RoundOptions {
  readonly messages: number;
  readonly rounds: number;
}

const ROUND_OPTIONS: readonly OptionSpec[] = [
  { name: 'messages', value: 'N', fallback: '200000', help: 'bench events each round' },
  {
    name: 'rounds',
    value: 'R',
    fallback: '6',
    help: 'rounds over them, the first left out as warm-up (at least 2)',
  },
  { name: 'help', help: 'this text' },
];

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

/**
 * The tool's shell: its options (`extra`, then --messages and --rounds)
 * read as the benchmarks read theirs, its usage on --help (exit 0), a bad
 * option's message and the usage (exit 2).
 */
export async function runCpuTool(
  tool: { readonly name: string; readonly summary: string; readonly extra?: readonly OptionSpec[] },
  body: (options: RoundOptions, read: OptionReader, given: GivenOptions) => Promise<void>,
): Promise<void> {
  const specs = [...(tool.extra ?? []), ...ROUND_OPTIONS];
  const usage = `usage: ${tool.name}.js [options]\n${tool.summary}\n${optionLines(specs)}
Prints each round's CPU µs per message, then the median of all but the first.
`;
  let read: OptionReader;
  let options: RoundOptions;
  let argv: GivenOptions | 'help';
  try {
    argv = readArgv(process.argv.slice(2), specs);
    if (argv === 'help') {
      process.stdout.write(usage);
      return;
    }
    read = optionReader(argv.given, specs);
    options = { messages: read.int('messages', 1), rounds: read.int('rounds', 2) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${tool.name}: ${error.message}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  await body(options, read, argv);
}

/**
 * What the one-stage CPU tools share (decode-cpu, encode-cpu, dedup-cpu, log-cpu): their
 * options, the bench's events as Kafka carries them, and the rounds over
 * the same messages, the first warming the JIT up and left out, reported
 * as this process's CPU (user + system, collection included) per message
 * and their median. A diagnosis of one stage, not a ceiling. To compare
 * two builds, a tool that takes `--base` alternates the other build's
 * rounds with its own in one process (compareCpuPerMessage).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

type Round = () => void | Promise<void>;

/** This process's CPU µs per message for one round. */
async function cpuOfRound(round: Round, messages: number): Promise<number> {
  const started = process.cpuUsage();
  await round();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / messages;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[Math.floor(middle)] as number);
}

/**
 * Runs `round` (which handles every message once) `rounds` times, prints
 * each round's CPU µs per message, and returns the median of all but the first.
 */
export async function medianCpuPerMessage(
  rounds: number,
  messages: number,
  round: Round,
): Promise<number> {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const micros = await cpuOfRound(round, messages);
    process.stdout.write(`round ${r + 1}${r === 0 ? ' (warm-up)' : ''}: ${micros.toFixed(2)} µs\n`);
    if (r > 0) perRound.push(micros);
  }
  return median(perRound);
}

/**
 * Two builds' rounds in turn in this one process, `rounds` of each, the
 * first pair left out: the medians and their ratio. On a shared machine
 * two runs of the same build can differ by a fifth; rounds that alternate
 * within one process see the same machine, and their ratio holds.
 */
export async function compareCpuPerMessage(
  rounds: number,
  messages: number,
  builds: { readonly base: Round; readonly current: Round },
): Promise<{ base: number; current: number; ratio: number }> {
  const base: number[] = [];
  const current: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const b = await cpuOfRound(builds.base, messages);
    const c = await cpuOfRound(builds.current, messages);
    const note = r === 0 ? ' (warm-up)' : '';
    process.stdout.write(
      `round ${r + 1}${note}: base ${b.toFixed(2)} µs, this build ${c.toFixed(2)} µs\n`,
    );
    if (r > 0) {
      base.push(b);
      current.push(c);
    }
  }
  const medians = { base: median(base), current: median(current) };
  return { ...medians, ratio: medians.current / medians.base };
}

/** A module of another build (`--base`: its dist/ directory), by its path inside dist/. */
export async function importFromBuild<T>(distDir: string, modulePath: string): Promise<T> {
  const file = resolve(distDir, modulePath);
  if (!existsSync(file)) {
    throw new UsageError(
      `--base ${distDir}: no ${modulePath} there (give a build's dist/ directory)`,
    );
  }
  return (await import(pathToFileURL(file).href)) as T;
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
  try {
    const argv = readArgv(process.argv.slice(2), specs);
    if (argv === 'help') {
      process.stdout.write(usage);
      return;
    }
    const read = optionReader(argv.given, specs);
    const options = { messages: read.int('messages', 1), rounds: read.int('rounds', 2) };
    await body(options, read, argv);
  } catch (error) {
    // A bad option, or one the body found bad (a --base without the build).
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${tool.name}: ${error.message}\n${usage}`);
    process.exitCode = 2;
  }
}

import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.js';
import { createCommandContext } from '../dlq/command-context.js';
import type { LetterFilter } from '../dlq/letter-view.js';
import { type PurgeBefore, planPurge, runPurge } from '../dlq/purge-letters.js';
import { replayLetters } from '../dlq/replay-letters.js';
import { dlqList, dlqShow, dlqStats } from '../dlq/report-letters.js';
import type { Which } from '../dlq/scan-letters.js';
import {
  DLQ_HELP,
  DLQ_LIST_HELP,
  DLQ_PURGE_HELP,
  DLQ_REPLAY_HELP,
  DLQ_SHOW_HELP,
  DLQ_STATS_HELP,
} from './dlq-help.js';
import { UsageError } from './usage-error.js';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  from: { type: 'string' },
  reason: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  partition: { type: 'string', multiple: true },
  match: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean' },
  id: { type: 'string' },
  rate: { type: 'string' },
  before: { type: 'string' },
  yes: { type: 'boolean' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

const HELP: Record<string, string> = {
  stats: DLQ_STATS_HELP,
  list: DLQ_LIST_HELP,
  show: DLQ_SHOW_HELP,
  replay: DLQ_REPLAY_HELP,
  purge: DLQ_PURGE_HELP,
};

/** `adgate dlq <verb>`: returns the exit code. */
export async function runDlqCommand(
  args: readonly string[],
  loadConfig: () => Config,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [verb, ...rest] = positionals;
  if (verb === undefined || HELP[verb] === undefined) {
    process.stdout.write(DLQ_HELP);
    if (verb === undefined && values.help === true) return 0;
    if (verb !== undefined) process.stderr.write(`adgate dlq: unknown verb "${verb}"\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(HELP[verb] ?? DLQ_HELP);
    return 0;
  }
  // Mistakes in the flags are reported before anything connects.
  filterOf(values);
  whichOf(values.from);
  const ctx = createCommandContext(loadConfig());
  try {
    return await runVerb(verb, rest, values, ctx);
  } finally {
    await ctx.close();
  }
}

async function runVerb(
  verb: string,
  rest: readonly string[],
  values: Values,
  ctx: ReturnType<typeof createCommandContext>,
): Promise<number> {
  const json = values.json === true;
  const from = whichOf(values.from);
  switch (verb) {
    case 'stats':
      await dlqStats(ctx, filterOf(values), ctx.dlqGroup, json);
      return 0;
    case 'list': {
      const limit = values.limit === undefined ? undefined : positiveInt(values.limit, '--limit');
      await dlqList(ctx, from, filterOf(values), { json, limit });
      return 0;
    }
    case 'show': {
      const place = parsePlace(rest[0] ?? '');
      const found = await dlqShow(ctx, from, place.partition, place.offset, json);
      if (!found)
        ctx.err(
          `no letter at ${rest[0]} in ${from === 'dlq' ? ctx.topics.dlq : ctx.topics.dead}\n`,
        );
      return found ? 0 : 1;
    }
    case 'replay':
      return replay(ctx, from, values);
    default:
      return purge(ctx, from, values);
  }
}

async function replay(
  ctx: ReturnType<typeof createCommandContext>,
  from: Which,
  values: Values,
): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => {
    ctx.err('replay: interrupted; finishing the batch in hand\n');
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const summary = await replayLetters(ctx, {
      from,
      filter: filterOf(values),
      dryRun: values['dry-run'] === true,
      id: values.id,
      rate: values.rate === undefined ? undefined : positiveInt(values.rate, '--rate'),
      signal: controller.signal,
    });
    const dry = values['dry-run'] === true ? ' (dry run: nothing sent)' : '';
    ctx.err(
      `replay ${summary.id}${dry}: ${summary.matched} matching of ${summary.scanned} scanned; ` +
        `sent ${summary.sent}, refused ${summary.failed}, sent before an interruption ${summary.alreadySent}, ` +
        `in ${summary.seconds.toFixed(1)} s` +
        `${summary.interrupted ? ' (interrupted: run the same command again to resume)' : ''}\n`,
    );
    return summary.failed > 0 || summary.interrupted ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function purge(
  ctx: ReturnType<typeof createCommandContext>,
  from: Which,
  values: Values,
): Promise<number> {
  if (values.before === undefined)
    throw new UsageError('purge needs --before <time|partition:offset>');
  const plan = await planPurge(ctx, from, parseBefore(values.before));
  if (plan.letters === 0) {
    ctx.err(`nothing in ${plan.topic} before ${values.before}\n`);
    return 0;
  }
  ctx.err(
    `${plan.topic}: ${plan.letters} letters would be deleted for good:\n  ${plan.lines.join('\n  ')}\n`,
  );
  if (values.yes !== true && !(await confirm(`Type "yes" to delete ${plan.letters} letters: `))) {
    ctx.err('purge: not confirmed; nothing deleted\n');
    return 1;
  }
  await runPurge(ctx, plan);
  ctx.out(`purged ${plan.letters} letters from ${plan.topic}\n`);
  return 0;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // No terminal and nothing piped in (stdin at its end): not confirmed.
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    return (await Promise.race([rl.question(question), closed])).trim() === 'yes';
  } finally {
    rl.close();
  }
}

function whichOf(from: string | undefined): Which {
  if (from === undefined || from === 'dlq') return 'dlq';
  if (from === 'dead') return 'dead';
  throw new UsageError(`--from must be dlq or dead (got "${from}")`);
}

const list = (values: readonly string[] | undefined) =>
  values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

export function filterOf(values: Values): LetterFilter {
  const partitions = list(values.partition)?.map((p) => nonNegativeInt(p, '--partition'));
  return {
    reasons: list(values.reason),
    sources: list(values.source),
    sinceMs: values.since === undefined ? undefined : parseTime(values.since, '--since'),
    untilMs: values.until === undefined ? undefined : parseTime(values.until, '--until'),
    partitions,
    match: values.match,
  };
}

export function parseTime(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an RFC 3339 time (got "${text}")`);
  return ms;
}

function parsePlace(text: string): { partition: number; offset: bigint } {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`expected <partition>:<offset> (got "${text}")`);
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

/** partition:offset pairs, comma-separated. */
export function parseOffsets(text: string): Map<number, bigint> {
  const offsets = new Map<number, bigint>();
  for (const part of text.split(',')) {
    const place = parsePlace(part.trim());
    offsets.set(place.partition, place.offset);
  }
  return offsets;
}

function parseBefore(text: string): PurgeBefore {
  if (/^\d+:\d+(,\s*\d+:\d+)*$/.test(text)) return { kind: 'offsets', offsets: parseOffsets(text) };
  return { kind: 'time', ms: parseTime(text, '--before') };
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a partition number`);
  return n;
}

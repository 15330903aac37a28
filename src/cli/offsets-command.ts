import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.js';
import { createCommandContext } from '../dlq/command-context.js';
import { applyRewind, planRewind, type RewindTo, resetOffsets } from '../dlq/rewind-offsets.js';
import { type OffsetsContext, sinkPositions } from '../dlq/sink-positions.js';
import { createPool } from '../store/create-pool.js';
import { createLogger } from '../telemetry/logger.js';
import { parseOffsets, parseTime } from './dlq-command.js';
import {
  OFFSETS_HELP,
  OFFSETS_RESET_HELP,
  OFFSETS_REWIND_HELP,
  OFFSETS_SHOW_HELP,
} from './offsets-help.js';
import { UsageError } from './usage-error.js';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

const HELP: Record<string, string> = {
  show: OFFSETS_SHOW_HELP,
  rewind: OFFSETS_REWIND_HELP,
  reset: OFFSETS_RESET_HELP,
};

/** `adgate offsets <verb>`: returns the exit code. */
export async function runOffsetsCommand(
  args: readonly string[],
  loadConfig: () => Config,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const verb = positionals[0];
  if (verb === undefined || HELP[verb] === undefined) {
    process.stdout.write(OFFSETS_HELP);
    if (verb !== undefined) process.stderr.write(`adgate offsets: unknown verb "${verb}"\n`);
    return verb === undefined && values.help === true ? 0 : 2;
  }
  if (values.help === true) {
    process.stdout.write(HELP[verb] ?? OFFSETS_HELP);
    return 0;
  }
  const config = loadConfig();
  const base = createCommandContext(config);
  const log = createLogger('warn', { component: 'cli' }, (line) => process.stderr.write(line));
  const pool = createPool(config.ADGATE_DATABASE_URL, 2, log);
  // Not a spread: that would read (and create) the context's producer.
  const { store, topics, group, out, err } = base;
  const ctx: OffsetsContext = { store, topics, group, out, err, pool };
  try {
    if (verb === 'show') return await show(ctx, values.json === true);
    if (verb === 'rewind') return await rewind(ctx, values.to, values['dry-run'] === true);
    return await reset(ctx, values['dry-run'] === true);
  } finally {
    await base.close();
    await pool.end();
  }
}

async function show(ctx: OffsetsContext, json: boolean): Promise<number> {
  const positions = await sinkPositions(ctx);
  if (json) {
    for (const p of positions) ctx.out(`${JSON.stringify(p)}\n`);
    return 0;
  }
  ctx.out(`${ctx.topics.ingest} for group ${ctx.group}\n`);
  ctx.out('PARTITION  COMMITTED   RECORDED    END         LAG MSGS    LAG SECONDS\n');
  for (const p of positions) {
    const cells = [p.committed ?? '-', p.recorded ?? '-', p.end, String(p.lagMessages)];
    ctx.out(
      `${String(p.partition).padEnd(10)} ${cells.map((c) => c.padEnd(11)).join(' ')} ${p.lagSeconds.toFixed(1)}\n`,
    );
  }
  return 0;
}

async function rewind(
  ctx: OffsetsContext,
  to: string | undefined,
  dryRun: boolean,
): Promise<number> {
  if (to === undefined)
    throw new UsageError('rewind needs --to <time|earliest|partition:offset,...>');
  const plan = await planRewind(ctx, parseTo(to));
  for (const s of plan.steps) {
    ctx.err(`partition ${s.partition}: ${s.from} -> ${s.to} (${s.reread} messages read again)\n`);
  }
  if (dryRun) {
    ctx.out(`would read ${plan.reread} messages again\n`);
    return 0;
  }
  await applyRewind(ctx, plan);
  ctx.out(`rewound ${plan.steps.length} partitions: ${plan.reread} messages will be read again\n`);
  return 0;
}

async function reset(ctx: OffsetsContext, dryRun: boolean): Promise<number> {
  const result = await resetOffsets(ctx, dryRun);
  const verb = dryRun ? 'would delete' : 'deleted';
  ctx.out(
    `${verb} ${result.recordedDeleted} recorded positions of ${ctx.group} on ${ctx.topics.ingest}; ` +
      `Kafka commits beyond the end ${dryRun ? 'to move' : 'moved'} to the start: ${result.committedReset.length === 0 ? 'none' : result.committedReset.join(', ')}\n`,
  );
  return 0;
}

function parseTo(text: string): RewindTo {
  if (text === 'earliest') return { kind: 'earliest' };
  if (/^\d+:\d+(,\s*\d+:\d+)*$/.test(text)) return { kind: 'offsets', offsets: parseOffsets(text) };
  return { kind: 'time', ms: parseTime(text, '--to') };
}

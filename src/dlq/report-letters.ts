import type { InboundMessage } from '../kafka/types.js';
import { laterOffset } from './kafka-letter-store.js';
import type { LetterFilter, LetterView } from './letter-view.js';
import {
  type DlqContext,
  readOneLetter,
  scanLetters,
  topicOf,
  type Which,
} from './scan-letters.js';

interface TopicStats {
  topic: string;
  letters: number;
  byReason: Record<string, number>;
  bySource: Record<string, number>;
  oldest: string | null;
  newest: string | null;
  partitions: { partition: number; letters: number; depth: number }[];
}

/**
 * `adgate dlq stats`: per topic (dlq, dead) the letters by reason and
 * source, the oldest and newest, and per partition the letters in the log
 * and the depth: for the DLQ, the letters its consumer group has not
 * handled yet; for the dead topic, all of them (nothing consumes it).
 */
export async function dlqStats(
  ctx: DlqContext,
  filter: LetterFilter,
  dlqGroup: string,
  json: boolean,
): Promise<void> {
  const all: TopicStats[] = [];
  for (const which of ['dlq', 'dead'] as const) {
    all.push(await topicStats(ctx, which, filter, which === 'dlq' ? dlqGroup : undefined));
  }
  if (json) {
    for (const stats of all) ctx.out(`${JSON.stringify(stats)}\n`);
    return;
  }
  for (const s of all) {
    ctx.out(
      `${s.topic}: ${s.letters} letters; oldest ${s.oldest ?? '-'}, newest ${s.newest ?? '-'}\n`,
    );
    ctx.out(`  by reason: ${formatCounts(s.byReason)}\n  by source: ${formatCounts(s.bySource)}\n`);
    for (const p of s.partitions) {
      ctx.out(`  partition ${p.partition}: ${p.letters} letters, depth ${p.depth}\n`);
    }
  }
}

async function topicStats(
  ctx: DlqContext,
  which: Which,
  filter: LetterFilter,
  group: string | undefined,
): Promise<TopicStats> {
  const topic = topicOf(ctx, which);
  const stats: TopicStats = {
    topic,
    letters: 0,
    byReason: {},
    bySource: {},
    oldest: null,
    newest: null,
    partitions: [],
  };
  const perPartition = new Map<number, number>();
  await scanLetters(ctx, topic, filter, (view) => {
    stats.letters += 1;
    stats.byReason[view.reason] = (stats.byReason[view.reason] ?? 0) + 1;
    stats.bySource[view.source] = (stats.bySource[view.source] ?? 0) + 1;
    if (stats.oldest === null || view.failedAt < stats.oldest) stats.oldest = view.failedAt;
    if (stats.newest === null || view.failedAt > stats.newest) stats.newest = view.failedAt;
    perPartition.set(view.partition, (perPartition.get(view.partition) ?? 0) + 1);
  });
  const committed = group === undefined ? new Map() : await ctx.store.committed(group, topic);
  for (const b of await ctx.store.bounds(topic)) {
    const from = committed.get(b.partition) ?? b.low;
    const start = laterOffset(from, b.low);
    stats.partitions.push({
      partition: b.partition,
      letters: perPartition.get(b.partition) ?? 0,
      depth: Number(b.high - start),
    });
  }
  return stats;
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** `adgate dlq list`: a table for a terminal, or one JSON object per line. */
export async function dlqList(
  ctx: DlqContext,
  which: Which,
  filter: LetterFilter,
  options: { json: boolean; limit?: number },
): Promise<number> {
  let shown = 0;
  if (!options.json) {
    ctx.out(row(['P:OFFSET', 'REASON', 'SOURCE', 'ATT', 'FAILED AT', 'KEY', 'ERROR']));
  }
  await scanLetters(ctx, topicOf(ctx, which), filter, (view) => {
    if (options.limit !== undefined && shown >= options.limit) return;
    shown += 1;
    ctx.out(options.json ? `${JSON.stringify(view)}\n` : tableRow(view));
  });
  if (!options.json) ctx.err(`${shown} letters\n`);
  return shown;
}

function tableRow(v: LetterView): string {
  return row([
    `${v.partition}:${v.offset}`,
    v.reason,
    v.source,
    String(v.attempts),
    v.failedAt,
    (v.key ?? '-').slice(0, 32),
    v.error.replaceAll('\n', ' ').slice(0, 80),
  ]);
}

const WIDTHS = [12, 13, 10, 4, 25, 33];
function row(cells: readonly string[]): string {
  return `${cells.map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i] ?? 0) : c)).join(' ')}\n`;
}

/** `adgate dlq show <partition>:<offset>`: every header, then the value. */
export async function dlqShow(
  ctx: DlqContext,
  which: Which,
  partition: number,
  offset: bigint,
  json: boolean,
): Promise<boolean> {
  const message = await readOneLetter(ctx, topicOf(ctx, which), partition, offset);
  if (message === undefined) return false;
  ctx.out(json ? `${JSON.stringify(showJson(message))}\n` : showText(message));
  return true;
}

function showJson(message: InboundMessage) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers))
    if (v !== undefined) headers[k] = v.toString();
  const value = message.value;
  const utf8 = value === null ? null : value.toString('utf8');
  const isText = value !== null && Buffer.from(utf8 ?? '', 'utf8').equals(value);
  return {
    partition: message.partition,
    offset: String(message.offset),
    timestamp: new Date(message.timestampMs).toISOString(),
    key: message.key?.toString('utf8') ?? null,
    headers,
    value: isText ? utf8 : null,
    valueBase64: isText || value === null ? undefined : value.toString('base64'),
  };
}

function showText(message: InboundMessage): string {
  const shown = showJson(message);
  const lines = [
    `${shown.partition}:${shown.offset}  timestamp ${shown.timestamp}  key ${shown.key ?? '(none)'}`,
    ...Object.entries(shown.headers).map(([k, v]) => `  ${k}: ${v}`),
    '',
    shown.value ?? (shown.valueBase64 === undefined ? '(no value)' : `base64:${shown.valueBase64}`),
  ];
  return `${lines.join('\n')}\n`;
}

import { earlierOffset, type PartitionBounds } from './kafka-letter-store.js';
import { type DlqContext, scanLetters, topicOf, type Which } from './scan-letters.js';

/** Where to cut: a time (letters that failed before it), or offsets per partition. */
export type PurgeBefore =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, bigint> };

export interface PurgePlan {
  readonly topic: string;
  /** Per partition, the offset below which every letter goes. */
  readonly cuts: ReadonlyMap<number, bigint>;
  readonly letters: number;
  readonly lines: readonly string[];
}

/**
 * What `adgate dlq purge --before` deletes. Kafka deletes records only as a
 * prefix of each partition (DeleteRecords moves the log start offset), so a
 * time cuts each partition at its first letter that failed at or after it:
 * a later letter never goes, and an earlier one behind a later one stays.
 */
export async function planPurge(
  ctx: DlqContext,
  which: Which,
  before: PurgeBefore,
): Promise<PurgePlan> {
  const topic = topicOf(ctx, which);
  const bounds = await ctx.store.bounds(topic);
  const cuts =
    before.kind === 'offsets' ? before.offsets : await cutsAtTime(ctx, topic, bounds, before.ms);
  const plan = new Map<number, bigint>();
  const lines: string[] = [];
  let letters = 0;
  for (const b of bounds) {
    const wanted = cuts.get(b.partition);
    if (wanted === undefined) continue;
    const cut = earlierOffset(wanted, b.high);
    if (cut <= b.low) continue;
    plan.set(b.partition, cut);
    letters += Number(cut - b.low);
    lines.push(`partition ${b.partition}: offsets ${b.low}..${cut - 1n} (${cut - b.low} letters)`);
  }
  return { topic, cuts: plan, letters, lines };
}

async function cutsAtTime(
  ctx: DlqContext,
  topic: string,
  bounds: readonly PartitionBounds[],
  ms: number,
): Promise<Map<number, bigint>> {
  // Until a later letter is found, the whole partition is before the time.
  const cuts = new Map(bounds.map((b) => [b.partition, b.high]));
  const stopped = new Set<number>();
  await scanLetters(ctx, topic, {}, (view) => {
    if (stopped.has(view.partition)) return;
    if (Date.parse(view.failedAt) >= ms) {
      cuts.set(view.partition, BigInt(view.offset));
      stopped.add(view.partition);
    }
  });
  return cuts;
}

export async function runPurge(ctx: DlqContext, plan: PurgePlan): Promise<void> {
  await ctx.store.deleteBelow(plan.topic, plan.cuts);
}

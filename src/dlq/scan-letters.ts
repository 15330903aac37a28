import type { InboundMessage } from '../kafka/types.js';
import type { LetterStore, ReadRange } from './kafka-letter-store.js';
import { type LetterFilter, type LetterView, matchesFilter, viewLetter } from './letter-view.js';

export interface DlqTopics {
  readonly ingest: string;
  readonly dlq: string;
  readonly dead: string;
}

export interface DlqContext {
  readonly store: LetterStore;
  readonly topics: DlqTopics;
  /** ADGATE_CONSUMER_GROUP: the sink's group, and the prefix of the others. */
  readonly group: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export type Which = 'dlq' | 'dead';

export function topicOf(ctx: DlqContext, which: Which): string {
  return which === 'dlq' ? ctx.topics.dlq : ctx.topics.dead;
}

/** A throwaway group name for a read that commits nothing. */
export function readerGroup(ctx: DlqContext): string {
  return `${ctx.group}.dlq-cli.${process.pid}.${Date.now().toString(36)}`;
}

/** Every letter of a topic as it is now (up to each partition's end), filtered. */
export async function scanLetters(
  ctx: DlqContext,
  topic: string,
  filter: LetterFilter,
  onLetter: (view: LetterView, message: InboundMessage) => void,
): Promise<void> {
  const bounds = await ctx.store.bounds(topic);
  const ranges: ReadRange[] = bounds
    .filter((b) => filter.partitions === undefined || filter.partitions.includes(b.partition))
    .map((b) => ({ partition: b.partition, from: b.low, to: b.high }));
  const groupId = readerGroup(ctx);
  try {
    await ctx.store.read(topic, ranges, {
      groupId,
      onMessage: (message) => {
        const view = viewLetter(message);
        if (matchesFilter(view, filter)) onLetter(view, message);
      },
    });
  } finally {
    await ctx.store.deleteGroup(groupId);
  }
}

/** Reads one letter by its partition and offset; undefined when it is not in the log. */
export async function readOneLetter(
  ctx: DlqContext,
  topic: string,
  partition: number,
  offset: bigint,
): Promise<InboundMessage | undefined> {
  const bound = (await ctx.store.bounds(topic)).find((b) => b.partition === partition);
  if (bound === undefined || offset < bound.low || offset >= bound.high) return undefined;
  let found: InboundMessage | undefined;
  const groupId = readerGroup(ctx);
  try {
    await ctx.store.read(topic, [{ partition, from: offset, to: offset + 1n }], {
      groupId,
      onMessage: (message) => {
        found = message;
      },
    });
  } finally {
    await ctx.store.deleteGroup(groupId);
  }
  return found;
}

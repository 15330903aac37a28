import {
  ERROR_HEADER,
  ORIGINAL_OFFSET_HEADER,
  ORIGINAL_PARTITION_HEADER,
  ORIGINAL_TOPIC_HEADER,
  SOURCE_HEADER,
} from '../kafka/headers.js';
import type { InboundMessage } from '../kafka/types.js';
import { readLetter } from './judge-letter.js';

const DEFAULT_SOURCE = 'kafka'; // SPEC §6

/** One letter as an operator sees it (`adgate dlq list`, `show`, `stats`). */
export interface LetterView {
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;
  readonly source: string;
  readonly attempts: number;
  /** When it was written to the DLQ or dead topic (the last failure), ISO 8601. */
  readonly failedAt: string;
  readonly key: string | null;
  readonly error: string;
  readonly original: string;
  readonly valueBytes: number;
}

export function viewLetter(message: InboundMessage): LetterView {
  const facts = readLetter(message);
  const text = (name: string) => message.headers[name]?.toString('utf8');
  return {
    partition: message.partition,
    offset: String(message.offset),
    reason: facts.reason,
    source: text(SOURCE_HEADER) ?? DEFAULT_SOURCE,
    attempts: facts.attempts,
    failedAt: new Date(facts.lastFailedAtMs).toISOString(),
    key: message.key?.toString('utf8') ?? null,
    error: text(ERROR_HEADER) ?? '',
    original: `${text(ORIGINAL_TOPIC_HEADER) ?? '?'}:${text(ORIGINAL_PARTITION_HEADER) ?? '?'}:${text(ORIGINAL_OFFSET_HEADER) ?? '?'}`,
    valueBytes: message.value?.length ?? 0,
  };
}

/** The filters shared by `list`, `replay` and `stats`. */
export interface LetterFilter {
  readonly reasons?: readonly string[];
  readonly sources?: readonly string[];
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly partitions?: readonly number[];
  /** Text in adgate-error, case-insensitive. */
  readonly match?: string;
}

export function matchesFilter(view: LetterView, filter: LetterFilter): boolean {
  const failedMs = Date.parse(view.failedAt);
  if (filter.reasons !== undefined && !filter.reasons.includes(view.reason)) return false;
  if (filter.sources !== undefined && !filter.sources.includes(view.source)) return false;
  if (filter.sinceMs !== undefined && failedMs < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && failedMs >= filter.untilMs) return false;
  if (filter.partitions !== undefined && !filter.partitions.includes(view.partition)) return false;
  if (filter.match !== undefined) {
    return view.error.toLowerCase().includes(filter.match.toLowerCase());
  }
  return true;
}

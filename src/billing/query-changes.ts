import type pg from 'pg';
import { z } from 'zod';
import { normalizeTimestamp } from '../event/normalize-timestamp.js';
import { readBeside } from '../shared/read-beside.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { type BillingDbRow, type BillingRow, toBillingRow } from './query-billing.js';
import { idParam, instantParam } from './query-params.js';

const CHANGES_SQL = readBeside(import.meta.url, './sql/changes.sql');

export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 5_000;

/**
 * A place in the change feed: the transaction that last changed a row and
 * the row's key (sql/changes.sql says why not updated_at). Without a key,
 * the place before every row that transaction `xid` changed.
 */
export interface FeedPosition {
  readonly xid: string;
  readonly key?: {
    readonly hour: string;
    readonly adId: string;
    readonly publisherId: string;
    readonly currency: string;
  };
}

// The cursor's JSON inside its base64url: [xid] or [xid, hour, ad, publisher, currency].
// Lenient on the key's text (a cursor the feed issued must always decode,
// whatever a row holds), strict on what PostgreSQL would refuse to parse:
// a forged cursor is a 400 for the route, never a database error.
const MAX_XID8 = 2n ** 64n - 1n;
// One self-contained check: zod runs a refine even after a regex failed.
const xid = z.string().refine((t) => /^\d{1,20}$/.test(t) && BigInt(t) <= MAX_XID8);
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((t) => !t.includes('\u0000'));
// PostgreSQL has no year 0000 (1 BC), so it would refuse that one.
const hour = z.string().refine((t) => !t.startsWith('0000') && normalizeTimestamp(t)?.iso === t);
const cursorJson = z.union([z.tuple([xid]), z.tuple([xid, hour, text(1024), text(1024), text(3)])]);

export function encodeCursor(position: FeedPosition): string {
  const { xid, key } = position;
  const json = key === undefined ? [xid] : [xid, key.hour, key.adId, key.publisherId, key.currency];
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this feed issued. */
export function decodeCursor(cursor: string): FeedPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorJson.safeParse(json);
  if (!parsed.success) return undefined;
  const [xid, hour, adId, publisherId, currency] = parsed.data;
  if (hour === undefined || adId === undefined || publisherId === undefined) return { xid };
  return { xid, key: { hour, adId, publisherId, currency: currency ?? '' } };
}

const cursor = z.string().transform((text, ctx) => {
  const position = decodeCursor(text);
  if (position === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a next_cursor this feed returned' });
    return z.NEVER;
  }
  return position;
});
const limit = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(CHANGES_MAX_LIMIT));

/**
 * The query parameters of GET /v1/billing/changes (SPEC §3). The first
 * call names `since`; each next call passes the `next_cursor` it got
 * instead. Both at once is refused: which would win is a guess.
 */
export const changesQuerySchema = z
  .strictObject({
    campaign_id: idParam,
    since: instantParam.optional(),
    cursor: cursor.optional(),
    limit: limit.optional(),
  })
  .refine((q) => (q.since === undefined) !== (q.cursor === undefined), {
    message: 'pass `since` on the first call and only `cursor` after it',
    path: ['since'],
  });
export type ChangesQuery = z.output<typeof changesQuerySchema>;

/** A billing_hourly row of SPEC §5 with the time its sums last changed. */
export interface ChangeRow extends BillingRow {
  readonly updated_at: string;
}

export interface ChangesPage {
  readonly rows: ChangeRow[];
  /** Where the next call starts; also after a short page, where new changes will appear. */
  readonly nextCursor: string;
  /** False when the page was short: every settled change has been returned. */
  readonly more: boolean;
}

interface DbRow extends BillingDbRow {
  settled: string;
  hour: Date | null;
  updated_at: Date;
  updated_xid: string;
}

/** One page of the hourly rows of one campaign whose sums changed (SPEC §3, §5). */
export async function queryChanges(pool: pg.Pool, query: ChangesQuery): Promise<ChangesPage> {
  const pageSize = query.limit ?? CHANGES_DEFAULT_LIMIT;
  const key = query.cursor?.key;
  let dbRows: DbRow[];
  try {
    ({ rows: dbRows } = await pool.query<DbRow>(CHANGES_SQL, [
      query.campaign_id,
      query.since === undefined ? null : new Date(query.since).toISOString(),
      query.cursor?.xid ?? null,
      key?.hour ?? null,
      key?.adId ?? null,
      key?.publisherId ?? null,
      key?.currency ?? null,
      pageSize,
    ]));
  } catch (error) {
    throw classifyPgError(error);
  }
  // An empty page is one row of NULLs that carries `settled` (LEFT JOIN).
  const settled = dbRows[0]?.settled ?? '0';
  const rows = dbRows.filter((r) => r.hour !== null).map(toChangeRow);
  const last = dbRows.at(-1);
  const more = rows.length === pageSize;
  return {
    rows,
    nextCursor: encodeCursor(
      more && last !== undefined ? positionOf(last) : headPosition(settled, query.cursor),
    ),
    more,
  };
}

/**
 * After a short page every row below `settled` has been returned, so the
 * next call may start there; a cursor already past it (settled only grows)
 * is kept, so that the feed never moves backwards.
 */
function headPosition(settled: string, cursor: FeedPosition | undefined): FeedPosition {
  if (cursor !== undefined && BigInt(cursor.xid) >= BigInt(settled)) return cursor;
  return { xid: settled };
}

function positionOf(row: DbRow): FeedPosition {
  return {
    xid: row.updated_xid,
    key: {
      hour: (row.hour as Date).toISOString(),
      adId: row.ad_id,
      publisherId: row.publisher_id,
      currency: row.currency,
    },
  };
}

function toChangeRow(r: DbRow): ChangeRow {
  return { ...toBillingRow(r, r.hour as Date), updated_at: r.updated_at.toISOString() };
}

import type { AdEvent } from '../event/event-schema.js';
import type { IdempotencyKey } from '../event/idempotency-key.js';

/** One event ready for PostgreSQL, with the fields the gateway adds (SPEC §5). */
export interface EventRow {
  readonly key: IdempotencyKey;
  readonly event: AdEvent;
  readonly source: string;
  readonly receivedAtMs: number;
  readonly partition: number;
  readonly offset: bigint;
}

// COPY text format: backslash, tab, newline and carriage return must be
// escaped in every value; identifiers are restricted to a safe alphabet by
// SPEC §1, but attribute values and sources are free text.
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESCAPE = /[\\\t\n\r]/g;
const escapeText = (text: string) => text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? c);

/**
 * The columns encodeCopyRows writes, in its order: the COPY names them, so
 * that they never depend on the staging table's column order.
 */
export const COPY_COLUMNS = [
  'idempotency_key',
  'type',
  'impression_id',
  'occurred_at',
  'campaign_id',
  'ad_id',
  'publisher_id',
  'conversion_id',
  'cost_micros',
  'revenue_micros',
  'currency',
  'attributes',
  'source',
  'received_at',
  'kafka_partition',
  'kafka_offset',
] as const;

/** Encodes rows as COPY text, one value per column of COPY_COLUMNS. */
export function encodeCopyRows(rows: readonly EventRow[]): string {
  return new CopyEncoder().encode(rows).toString('utf8');
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const ASCII_END = 0x80;
/** `\\x`: the bytea hex prefix, its backslash escaped for COPY. */
const BYTEA_PREFIX = Buffer.from('\\\\x');
const NULL = Buffer.from('\\N');
const HEX = Buffer.from('0123456789abcdef');
// Fixed bytes of a row beyond its strings: 16 separators, the key's 35,
// two NULLs, numbers (16 digits each at most), the timestamp (27 for a
// six-digit year), a partition and an offset (20).
const ROW_FIXED_BYTES = 200;
/** Larger buffers (a batch of large events) are not kept between batches. */
const RETAINED_BYTES = 16 * 1024 * 1024;

/**
 * Writes COPY text straight into a buffer that it reuses from batch to
 * batch: the sink's profile had the string form (a template per row, then
 * its UTF-8 copy on the way to the socket) at 3 µs per row. One encoder per
 * connection: the buffer a call returns stays valid until the next call
 * on the same encoder, and a connection's COPY has been sent in full
 * before that connection writes again.
 */
export class CopyEncoder {
  private buffer = Buffer.allocUnsafe(0);
  private at = 0;

  encode(rows: readonly EventRow[]): Buffer {
    if (this.buffer.length > RETAINED_BYTES) this.buffer = Buffer.allocUnsafe(0);
    this.at = 0;
    // Neighbouring rows mostly share their Kafka timestamp (one produce
    // request): format it once, not per row.
    let lastMs = Number.NaN;
    let receivedAt = '';
    for (const row of rows) {
      if (row.receivedAtMs !== lastMs) {
        lastMs = row.receivedAtMs;
        receivedAt = new Date(lastMs).toISOString();
      }
      this.row(row, receivedAt);
    }
    return this.buffer.subarray(0, this.at);
  }

  private row({ key, event, source, partition, offset }: EventRow, receivedAt: string): void {
    const attributes =
      event.attributes === undefined ? undefined : JSON.stringify(event.attributes);
    const { conversion_id: conversionId } = event;
    this.reserve(
      ROW_FIXED_BYTES +
        3 *
          (event.type.length +
            event.impression_id.length +
            event.occurred_at.length +
            event.campaign_id.length +
            event.ad_id.length +
            event.publisher_id.length +
            (conversionId?.length ?? 0) +
            event.currency.length +
            (attributes?.length ?? 0) +
            source.length) +
        2 * key.length,
    );
    this.bytes(BYTEA_PREFIX);
    this.hex(key);
    this.tab(event.type);
    this.tab(event.impression_id);
    this.tab(event.occurred_at);
    this.tab(event.campaign_id);
    this.tab(event.ad_id);
    this.tab(event.publisher_id);
    this.tabOrNull(conversionId);
    this.tab(String(event.cost_micros));
    this.tab(String(event.revenue_micros));
    this.tab(event.currency);
    this.tabOrNull(attributes);
    this.tab(source);
    this.tab(receivedAt);
    this.tab(String(partition));
    this.tab(String(offset));
    this.buffer[this.at++] = LF;
  }

  /** Room for `bytes` more, keeping what was written. */
  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.at + bytes, 64 * 1024));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  private bytes(bytes: Buffer): void {
    bytes.copy(this.buffer, this.at);
    this.at += bytes.length;
  }

  /** The key's bytes in hex: each of its characters is one byte (idempotency-key.ts). */
  private hex(key: IdempotencyKey): void {
    const { buffer } = this;
    for (let i = 0; i < key.length; i += 1) {
      const byte = key.charCodeAt(i);
      buffer[this.at++] = HEX[byte >> 4] as number;
      buffer[this.at++] = HEX[byte & 0x0f] as number;
    }
  }

  private tabOrNull(text: string | undefined): void {
    if (text !== undefined) {
      this.tab(text);
      return;
    }
    this.buffer[this.at++] = TAB;
    this.bytes(NULL);
  }

  /** A tab, then the text escaped, as UTF-8 (reserve made room: 3 bytes per UTF-16 unit). */
  private tab(text: string): void {
    const { buffer } = this;
    buffer[this.at++] = TAB;
    // Byte by byte while the text is ASCII that needs no escape: most
    // values are identifiers, and a native call per value costs more.
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code >= ASCII_END || code === BACKSLASH || code === TAB || code === LF || code === CR) {
        this.at += buffer.write(escapeText(text.slice(i)), this.at, 'utf8');
        return;
      }
      buffer[this.at++] = code;
    }
  }
}

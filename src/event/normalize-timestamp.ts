// RFC 3339 date-time with a mandatory offset (SPEC §1). Lowercase t/z are
// allowed by RFC 3339 §5.6.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export interface NormalizedTimestamp {
  /** Milliseconds since the epoch, digits beyond the millisecond truncated. */
  readonly epochMs: number;
  /** `YYYY-MM-DDTHH:MM:SS.sssZ`, the form that enters the idempotency key (SPEC §2). */
  readonly iso: string;
}

/**
 * Normalises an RFC 3339 timestamp to UTC with millisecond precision, or
 * returns undefined when the text is not a real instant (Feb 30, hour 24,
 * a missing offset). Truncation, not rounding: SPEC §2 says so, and
 * rounding could move an instant into the next second, day or year.
 */
export function normalizeTimestamp(text: string): NormalizedTimestamp | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC rolls Feb 30 over to Mar 2; reject by checking the day survives.
  const dayStart = Date.UTC(year, month - 1, day);
  if (new Date(dayStart).getUTCDate() !== day || day < 1) return undefined;
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const epochMs = dayStart + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return undefined;
  return { epochMs, iso: date.toISOString() };
}

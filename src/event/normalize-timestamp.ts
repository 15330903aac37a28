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
  // Already in the normal form (what most producers send): read by
  // character codes, not the regex, and not printed again.
  if (text.length === 24) {
    const epochMs = canonicalMs(text);
    if (epochMs !== undefined) return { epochMs, iso: text };
  }
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const fields = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const epochMs = instantOf(...fields, millis, offsetMinutes);
  if (epochMs === undefined) return undefined;
  if (zulu === 'Z' && text.length === 24 && text[10] === 'T') return { epochMs, iso: text };
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return undefined;
  return { epochMs, iso: date.toISOString() };
}

/**
 * The instant of a date and time, or undefined when it is none (Feb 30,
 * hour 24). Seconds run to 59: RFC 3339 leap seconds are refused.
 */
function instantOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): number | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Feb 30 is not an instant (Date.UTC would roll it over to Mar 2).
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  const dayStart = utcDayStart(year, month, day);
  return dayStart + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

// The normal form `YYYY-MM-DDTHH:MM:SS.sssZ`: its separators and where they stand.
const SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 0x2d], // -
  [7, 0x2d], // -
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a], // :
  [19, 0x2e], // .
  [23, 0x5a], // Z
];

// The last day read in the normal form, as year * 10^4 + month * 100 + day,
// and its start: a stream's timestamps mostly fall on one or two days, and
// the day's checks and Date.UTC were half of this function's cost (the
// sink's profile in backlog mode, issue 15).
let lastDay = -1;
let lastDayStart = 0;

/**
 * The instant of a 24-character text in the normal form, or undefined when
 * it is not one (the regex then decides, so every other text gets the
 * verdict it always had). The same instant as the regex path: the same
 * fields, the same checks as instantOf.
 */
function canonicalMs(text: string): number | undefined {
  for (const [at, code] of SEPARATORS) if (text.charCodeAt(at) !== code) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const millis = digits(text, 20, 23);
  // A non-digit makes its field negative: one test for all of them.
  if ((year | month | day | hour | minute | second | millis) < 0) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const dayKey = year * 10_000 + month * 100 + day;
  if (dayKey !== lastDay) {
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    lastDayStart = utcDayStart(year, month, day);
    lastDay = dayKey;
  }
  return lastDayStart + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** The decimal number in text[from, to), or -1 when a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999. */
function utcDayStart(year: number, month: number, day: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day);
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

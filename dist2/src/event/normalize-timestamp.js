// RFC 3339 date-time with a mandatory offset (SPEC §1). Lowercase t/z are
// allowed by RFC 3339 §5.6.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/**
 * Normalises an RFC 3339 timestamp to UTC with millisecond precision, or
 * returns undefined when the text is not a real instant (Feb 30, hour 24,
 * a missing offset). Truncation, not rounding: SPEC §2 says so, and
 * rounding could move an instant into the next second, day or year.
 */
export function normalizeTimestamp(text) {
    const m = RFC3339.exec(text);
    if (m === null)
        return undefined;
    const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
        return undefined;
    // Feb 30 is not an instant (Date.UTC would roll it over to Mar 2).
    if (day < 1 || day > daysInMonth(year, month))
        return undefined;
    let offsetMinutes = 0;
    if (zulu === undefined) {
        const offH = Number(oh);
        const offM = Number(om);
        if (offH > 23 || offM > 59)
            return undefined;
        offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
    }
    const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
    const dayStart = utcDayStart(year, month, day);
    const epochMs = dayStart + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
    // Already in the normal form (what most producers send): no need to
    // print it again, which cost as much as all the checks above.
    if (zulu === 'Z' && text.length === 24 && text[10] === 'T')
        return { epochMs, iso: text };
    const date = new Date(epochMs);
    if (Number.isNaN(date.getTime()))
        return undefined;
    return { epochMs, iso: date.toISOString() };
}
/** Date.UTC without its quirk of reading years 0-99 as 1900-1999. */
function utcDayStart(year, month, day) {
    if (year >= 100)
        return Date.UTC(year, month - 1, day);
    return new Date(0).setUTCFullYear(year, month - 1, day);
}
function daysInMonth(year, month) {
    if (month === 2)
        return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
    return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
//# sourceMappingURL=normalize-timestamp.js.map
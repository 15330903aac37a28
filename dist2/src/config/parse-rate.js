/**
 * Parses `R/B` (R per second, burst B), as written in ADGATE_RATE_LIMIT,
 * ADGATE_AUTH_FAILURE_LIMIT and after `@` in an ADGATE_API_KEYS entry.
 * R may have a fraction (0.5 is one every two seconds); B is a whole number
 * at least 1, and at least R, so that a full second's worth always fits.
 */
export function parseRate(text) {
    const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(text.trim());
    if (match === null)
        throw new Error(`"${text}" is not R/B (events per second / burst)`);
    const perSecond = Number(match[1]);
    const burst = Number(match[2]);
    if (!(perSecond > 0))
        throw new Error(`"${text}": the rate must be above 0`);
    if (burst < 1 || burst < perSecond) {
        throw new Error(`"${text}": the burst must be at least 1 and at least the rate`);
    }
    return { perSecond, burst };
}
//# sourceMappingURL=parse-rate.js.map
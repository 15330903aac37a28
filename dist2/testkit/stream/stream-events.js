/**
 * The pieces of a deterministic stream of ad events with a realistic mix,
 * shared by generateStream (tests: a whole stream in memory) and
 * generateChunks (benchmarks: a bounded window): the event shapes, the
 * seeded random source, how each kind of event is made from its draws.
 * The draws happen in a fixed order, so a seed gives the same stream on
 * every machine.
 */
/** mulberry32: small, fast, and the same on every machine. */
export function createRandom(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
/**
 * Where an impression runs. Real traffic is heavy-tailed: a few ads and
 * publishers take most impressions; and an ad belongs to one campaign.
 * Squaring a uniform draw gives that head without a tail of zeros.
 */
function placement(random, campaigns, ads, publishers) {
    const ad = Math.floor(ads * random() ** 2);
    return {
        campaign_id: `camp-${ad % campaigns}`,
        ad_id: `ad-${ad}`,
        publisher_id: `pub-${Math.floor(publishers * random() ** 2)}`,
        currency: random() < 0.9 ? 'USD' : 'EUR',
    };
}
/** The mix's settings with their defaults, and the random source both generators draw from. */
export function createMix(options) {
    const random = createRandom(options.seed);
    const [clicksPer100, conversionsPer100] = options.mix ?? [5, 0.5];
    const all = 100 + clicksPer100 + conversionsPer100;
    return {
        random,
        pick: (n) => Math.floor(random() * n),
        campaigns: options.campaigns ?? 2_000,
        ads: options.ads ?? 5_000,
        publishers: options.publishers ?? 3_000,
        nowMs: options.nowMs ?? Date.now(),
        seedTag: options.seed.toString(36),
        clickShare: clicksPer100 / all,
        conversionShare: conversionsPer100 / all,
    };
}
/** A random instant in the hour before now (a minute's margin either side). */
export const occurredMsOf = (mix) => mix.nowMs - 60_000 - mix.pick(3_540_000);
/** The i-th event as a fresh impression. */
export function impressionOf(mix, i, occurredMs) {
    return {
        type: 'impression',
        impression_id: `imp-${mix.seedTag}-${i}`,
        occurred_at: new Date(occurredMs).toISOString(),
        ...placement(mix.random, mix.campaigns, mix.ads, mix.publishers),
        cost_micros: 500 + mix.pick(5_000),
    };
}
/** The i-th event as a conversion of an earlier impression. */
export function conversionOf(mix, base, i, occurredMs) {
    return {
        ...base,
        type: 'conversion',
        conversion_id: `cv-${mix.seedTag}-${i}`,
        occurred_at: new Date(occurredMs).toISOString(),
        cost_micros: 0,
        revenue_micros: 1_000_000 + mix.pick(50_000_000),
    };
}
/** A click on an earlier impression; distinct clicks on one impression differ by occurred_at (SPEC §2). */
export function clickOf(mix, base, occurredMs) {
    return {
        ...base,
        type: 'click',
        occurred_at: new Date(occurredMs).toISOString(),
        cost_micros: 100_000 + mix.pick(900_000),
    };
}
/** An extra send of `original`: the same instant, half the time written in another offset. */
export function duplicateOf(mix, original) {
    // The same instant written another way must still be the same event.
    const variant = mix.random() < 0.5 ? original.occurred_at : offsetForm(new Date(original.occurred_at));
    return {
        key: original.impression_id,
        json: JSON.stringify({ ...original, occurred_at: variant }),
        kind: 'duplicate',
    };
}
/** The k-th malformed message: not JSON, a schema violation, or a bare string, in turn. */
export function malformedItem(key, k) {
    return { key, json: MALFORMED[k % MALFORMED.length], kind: 'malformed' };
}
/** The events themselves, first, as items to send. */
export function eventItems(distinct) {
    return distinct.map((e) => ({ key: e.impression_id, json: JSON.stringify(e), kind: 'event' }));
}
const MALFORMED = [
    '{"type":"impression",', // not JSON
    '{"type":"impression","impression_id":"x y","occurred_at":"2026-01-01T00:00:00Z"}', // schema
    '"just a string"',
];
function offsetForm(date) {
    // e.g. 2026-11-24T03:00:00.123+02:00 for 01:00:00.123Z
    const shifted = new Date(date.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    return shifted;
}
/** Scatters the items after `start` through the whole array (Fisher–Yates on positions). */
export function shuffleTail(items, start, random) {
    for (let i = start; i < items.length; i += 1) {
        const j = Math.floor(random() * (i + 1));
        const a = items[i];
        items[i] = items[j];
        items[j] = a;
    }
}
export function billingKey(hourIso, campaign, ad, publisher, currency) {
    return `${hourIso}|${campaign}|${ad}|${publisher}|${currency}`;
}
//# sourceMappingURL=stream-events.js.map
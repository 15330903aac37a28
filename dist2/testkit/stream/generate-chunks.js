import { clickOf, conversionOf, createMix, duplicateOf, eventItems, impressionOf, malformedItem, occurredMsOf, shuffleTail, } from './stream-events.js';
/**
 * The same realistic mix as generateStream, produced lazily in chunks so
 * that a run of any length holds only a bounded window in memory: clicks
 * and conversions refer to recent impressions, duplicates repeat recent
 * events, and out-of-order moves stay within a chunk. Deterministic: the
 * same options give the same chunks, on every machine. Infinite: stop
 * pulling when done, and count only the chunks that were sent in full.
 */
export function* generateChunks(options) {
    const mix = createMix(options);
    const chunkSize = options.chunkSize ?? 5_000;
    const impressions = new Ring(options.recentImpressions ?? 50_000);
    const recent = new Ring(options.recentEvents ?? 20_000);
    // Shares accumulate across chunks so that long runs hit them exactly.
    const quota = (share, chunk) => Math.round((chunk + 1) * chunkSize * share);
    const soFar = { duplicates: 0, malformed: 0, moves: 0 };
    for (let chunk = 0;; chunk += 1) {
        const distinct = [];
        for (let n = 0; n < chunkSize; n += 1) {
            const event = nextEvent(mix, impressions, chunk * chunkSize + n);
            distinct.push(event);
            recent.push(event);
        }
        const items = eventItems(distinct);
        const duplicates = quota(options.duplicateShare, chunk) - soFar.duplicates;
        soFar.duplicates += duplicates;
        for (let d = 0; d < duplicates; d += 1) {
            items.push(duplicateOf(mix, recent.at(mix.pick(recent.size))));
        }
        const malformed = quota(options.malformedShare, chunk) - soFar.malformed;
        for (let m = 0; m < malformed; m += 1) {
            const k = soFar.malformed + m;
            items.push(malformedItem(`bad-${mix.seedTag}-${k}`, k));
        }
        soFar.malformed += malformed;
        shuffleTail(items, distinct.length, mix.random);
        const moves = quota(options.outOfOrderShare, chunk) - soFar.moves;
        soFar.moves += moves;
        swapRandomly(items, moves, mix.pick);
        yield { index: chunk, items, distinct, malformed };
    }
}
/** The i-th distinct event: a conversion or a click of a recent impression, or a new impression. */
function nextEvent(mix, impressions, i) {
    const occurredMs = occurredMsOf(mix);
    const r = mix.random();
    const base = impressions.size > 0 ? impressions.at(mix.pick(impressions.size)) : undefined;
    if (base !== undefined && r < mix.conversionShare) {
        return conversionOf(mix, base.event, i, occurredMs);
    }
    if (base !== undefined && r < mix.conversionShare + mix.clickShare) {
        // Distinct clicks on one impression differ by occurred_at (SPEC §2).
        base.clicks ??= new Set();
        let ms = occurredMs;
        while (base.clicks.has(ms))
            ms += 1;
        base.clicks.add(ms);
        return clickOf(mix, base.event, ms);
    }
    const event = impressionOf(mix, i, occurredMs);
    impressions.push({ event });
    return event;
}
/** Out of order: `moves` swaps of two random places of the chunk. */
function swapRandomly(items, moves, pick) {
    for (let m = 0; m < moves; m += 1) {
        const a = pick(items.length);
        const b = pick(items.length);
        const item = items[a];
        items[a] = items[b];
        items[b] = item;
    }
}
/** A fixed-size window over the most recent values pushed. */
class Ring {
    capacity;
    values = [];
    nextSlot = 0;
    constructor(capacity) {
        this.capacity = capacity;
    }
    get size() {
        return this.values.length;
    }
    push(value) {
        if (this.values.length < this.capacity)
            this.values.push(value);
        else
            this.values[this.nextSlot] = value;
        this.nextSlot = (this.nextSlot + 1) % this.capacity;
    }
    at(index) {
        return this.values[index];
    }
}
//# sourceMappingURL=generate-chunks.js.map
import { billingKey, clickOf, conversionOf, createMix, duplicateOf, eventItems, impressionOf, malformedItem, occurredMsOf, shuffleTail, } from './stream-events.js';
/**
 * A whole stream in memory, for the integration tests: the same seed gives
 * the same stream, and the stream knows exactly what a correct gateway
 * must end up with (every billing row).
 */
export function generateStream(options) {
    const mix = createMix(options);
    const { pick, random } = mix;
    const distinct = [];
    const impressions = [];
    const total = options.distinct;
    for (let i = 0; i < total; i += 1) {
        const occurredMs = occurredMsOf(mix);
        const r = random();
        const base = impressions.length > 0 ? impressions[pick(impressions.length)] : undefined;
        if (base !== undefined && r < mix.conversionShare) {
            distinct.push(conversionOf(mix, base, i, occurredMs));
        }
        else if (base !== undefined && r < mix.conversionShare + mix.clickShare) {
            distinct.push(clickOf(mix, base, occurredMs + i));
        }
        else {
            const event = impressionOf(mix, i, occurredMs);
            impressions.push(event);
            distinct.push(event);
        }
    }
    const items = eventItems(distinct);
    const duplicates = Math.round(total * options.duplicateShare);
    for (let i = 0; i < duplicates; i += 1) {
        items.push(duplicateOf(mix, distinct[pick(distinct.length)]));
    }
    const malformed = Math.round(total * options.malformedShare);
    for (let i = 0; i < malformed; i += 1)
        items.push(malformedItem(`bad-${i}`, i));
    // Duplicates and malformed go to random places; a share of events too,
    // which puts clicks and conversions before their impressions.
    shuffleTail(items, total, random);
    const moves = Math.round(total * options.outOfOrderShare);
    for (let i = 0; i < moves; i += 1) {
        const from = pick(items.length);
        const to = pick(items.length);
        const [item] = items.splice(from, 1);
        if (item)
            items.splice(to, 0, item);
    }
    return { items, expected: expectedOf(distinct, malformed) };
}
function expectedOf(distinct, malformed) {
    const byType = { impression: 0, click: 0, conversion: 0 };
    const billing = new Map();
    for (const e of distinct) {
        byType[e.type] += 1;
        const hour = new Date(Math.floor(Date.parse(e.occurred_at) / 3600_000) * 3600_000).toISOString();
        const key = billingKey(hour, e.campaign_id, e.ad_id, e.publisher_id, e.currency ?? 'USD');
        const sums = billing.get(key) ?? {
            impressions: 0,
            clicks: 0,
            conversions: 0,
            cost_micros: 0n,
            revenue_micros: 0n,
        };
        if (e.type === 'impression')
            sums.impressions += 1;
        if (e.type === 'click')
            sums.clicks += 1;
        if (e.type === 'conversion')
            sums.conversions += 1;
        sums.cost_micros += BigInt(e.cost_micros ?? 0);
        sums.revenue_micros += BigInt(e.revenue_micros ?? 0);
        billing.set(key, sums);
    }
    return { distinct: distinct.length, byType, malformed, billing };
}
//# sourceMappingURL=generate-stream.js.map
import { idempotencyKey } from '../../src/event/idempotency-key.js';
import { validateEvent } from '../../src/event/validate-event.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 5 * 60_000 };
/**
 * The first `count` messages of the run's own stream, decoded as the sink
 * decodes them (validation, idempotency key), so that every ceiling works
 * on the same rows and sizes as the gateway.
 */
export function sampleStream(options, count) {
    const rows = [];
    const payloads = [];
    const now = Date.now();
    for (const chunk of generateChunks(options)) {
        for (const item of chunk.items) {
            if (payloads.length >= count)
                return { rows, payloads };
            payloads.push(item.json);
            let json;
            try {
                json = JSON.parse(item.json);
            }
            catch {
                continue;
            }
            const result = validateEvent(json, now, WINDOW);
            if (!result.ok)
                continue;
            rows.push({
                key: idempotencyKey(result.event),
                event: result.event,
                source: 'bench',
                receivedAtMs: now,
                partition: 0,
                offset: BigInt(rows.length),
            });
        }
    }
    throw new Error('unreachable: the stream is infinite');
}
//# sourceMappingURL=sample-rows.js.map
import { createRandom } from '../../testkit/stream/stream-events.js';
import { postEvents } from './events.js';
import { produceRaw } from './pipeline.js';
/**
 * Sends a generated stream through both ingresses. Every HTTP request must
 * be acknowledged (202); a 503 is retried, which is what a client does.
 */
export async function sendStream(baseUrl, pipeline, items, options) {
    const random = createRandom(options.seed);
    const http = [];
    const kafka = [];
    for (const item of items)
        (random() < options.kafkaShare ? kafka : http).push(item);
    const batches = [];
    for (let i = 0; i < http.length; i += options.batchSize)
        batches.push(http.slice(i, i + options.batchSize));
    const report = { accepted: 0, retriedRequests: 0, viaKafka: kafka.length };
    const sendOne = async (batch) => {
        const body = `[${batch.map((i) => i.json).join(',')}]`;
        const times = random() < options.retryShare ? 2 : 1;
        if (times === 2)
            report.retriedRequests += 1;
        for (let t = 0; t < times; t += 1) {
            for (let attempt = 0;; attempt += 1) {
                const res = await postEvents(baseUrl, undefined, { raw: body });
                if (res.status === 202) {
                    if (t === 0)
                        report.accepted += Number(res.body.accepted);
                    break;
                }
                if (res.status !== 503 || attempt > 50) {
                    throw new Error(`POST /v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
                }
                await new Promise((r) => setTimeout(r, 200));
            }
        }
    };
    const queue = [...batches];
    const workers = Array.from({ length: options.concurrency }, async () => {
        for (let batch = queue.shift(); batch !== undefined; batch = queue.shift())
            await sendOne(batch);
    });
    await Promise.all([
        ...workers,
        produceRaw(pipeline, kafka.map((i) => ({ key: i.key, value: i.json }))),
    ]);
    return report;
}
//# sourceMappingURL=send-stream.js.map
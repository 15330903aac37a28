import { createRandom, type StreamItem } from '../../testkit/stream/stream-events.js';
import { postEvents } from './events.js';
import { produceRaw, type TestPipeline } from './pipeline.js';

export interface SendOptions {
  readonly seed: number;
  /** Share of items written straight into Kafka instead of over HTTP. */
  readonly kafkaShare: number;
  /** Share of HTTP requests sent a second time, whole, as a client retry would. */
  readonly retryShare: number;
  readonly batchSize: number;
  readonly concurrency: number;
}

export interface SendReport {
  accepted: number;
  retriedRequests: number;
  viaKafka: number;
}

/**
 * Sends a generated stream through both ingresses. Every HTTP request must
 * be acknowledged (202); a 503 is retried, which is what a client does.
 */
export async function sendStream(
  baseUrl: string,
  pipeline: TestPipeline,
  items: readonly StreamItem[],
  options: SendOptions,
): Promise<SendReport> {
  const random = createRandom(options.seed);
  const http: StreamItem[] = [];
  const kafka: StreamItem[] = [];
  for (const item of items) (random() < options.kafkaShare ? kafka : http).push(item);
  const batches: StreamItem[][] = [];
  for (let i = 0; i < http.length; i += options.batchSize)
    batches.push(http.slice(i, i + options.batchSize));
  const report: SendReport = { accepted: 0, retriedRequests: 0, viaKafka: kafka.length };

  const sendOne = async (batch: StreamItem[]) => {
    const body = `[${batch.map((i) => i.json).join(',')}]`;
    const times = random() < options.retryShare ? 2 : 1;
    if (times === 2) report.retriedRequests += 1;
    for (let t = 0; t < times; t += 1) {
      for (let attempt = 0; ; attempt += 1) {
        const res = await postEvents(baseUrl, undefined, { raw: body });
        if (res.status === 202) {
          if (t === 0) report.accepted += Number(res.body.accepted);
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
    produceRaw(
      pipeline,
      kafka.map((i) => ({ key: i.key, value: i.json })),
    ),
  ]);
  return report;
}

/** The items' JSON as request bodies of `size` events each (a JSON array per body). */
export function jsonBatches(items: readonly StreamItem[], size = 100): string[] {
  const batches: string[] = [];
  for (let i = 0; i < items.length; i += size) {
    batches.push(
      `[${items
        .slice(i, i + size)
        .map((x) => x.json)
        .join(',')}]`,
    );
  }
  return batches;
}

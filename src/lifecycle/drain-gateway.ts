import { errorMessage } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Lifecycle } from './lifecycle-state.js';

export interface DrainStep {
  readonly name: string;
  readonly run: () => Promise<void>;
}

export interface DrainReport {
  readonly ok: boolean;
  readonly totalMs: number;
  readonly steps: readonly { name: string; ms: number; error?: string }[];
}

/** How to stop each part of a gateway; a part the instance's roles lack resolves at once. */
export interface GatewayParts {
  readonly stopMaintenance: () => Promise<void>;
  readonly closeHttp: () => Promise<void>;
  readonly stopSink: () => Promise<void>;
  readonly stopDlq: () => Promise<void>;
  readonly closeIngestLog: () => Promise<void>;
  readonly closeProducer: () => Promise<void>;
  readonly closeRedis: () => Promise<void>;
  readonly endPool: () => Promise<void>;
  readonly flushTracing: () => Promise<void>;
}

/**
 * The drain's order (SPEC §7), after drainOnce turned /readyz to 503. The
 * order is the guarantee: maintenance stops first, so that no new pass
 * takes a client from a pool about to end; the requests in flight finish
 * (each 202 has its events in Kafka) before the producer closes; the sink
 * finishes the batch in hand and commits it before it leaves the group,
 * so that its partitions move with their positions; the producer outlives
 * the sink, whose dead letters it sends; Redis and the pool, which the
 * sink and the HTTP routes use, close after both.
 */
export function gatewayDrainSteps(parts: GatewayParts): DrainStep[] {
  return [
    { name: 'maintenance: stop', run: parts.stopMaintenance },
    { name: 'http: stop accepting, finish requests in flight', run: parts.closeHttp },
    {
      name: 'sink: stop fetching, flush batch in hand, commit, leave group',
      run: parts.stopSink,
    },
    { name: 'dlq: hand over waiting letters, commit, leave group', run: parts.stopDlq },
    { name: 'kafka: close the watermark reader', run: parts.closeIngestLog },
    { name: 'producer: flush and close', run: parts.closeProducer },
    { name: 'redis: close', run: parts.closeRedis },
    { name: 'postgres: end pool', run: parts.endPool },
    { name: 'tracing: flush spans', run: parts.flushTracing },
  ];
}

/**
 * The drain of SPEC §7, run once: a second call shares the first. Its
 * report is ok only when the instance ends `stopped`; after a failure the
 * drain still runs what it can, and the state stays `failed`.
 */
export function drainOnce(
  steps: readonly DrainStep[],
  { lifecycle, metrics, log }: { lifecycle: Lifecycle; metrics: Metrics; log: Logger },
): () => Promise<DrainReport> {
  let draining: Promise<DrainReport> | undefined;
  return () => {
    draining ??= (async () => {
      lifecycle.moveTo('draining'); // refused when failed
      const report = await runDrainSteps(steps, log);
      lifecycle.moveTo(report.ok ? 'stopped' : 'failed');
      log.info('drain finished', {
        ok: report.ok,
        totalMs: report.totalMs,
        state: lifecycle.state,
      });
      await metrics.shutdown();
      return { ...report, ok: report.ok && lifecycle.state === 'stopped' };
    })();
    return draining;
  };
}

/**
 * Runs the shutdown steps in their fixed order (SPEC §7). One failing step
 * does not stop the rest: a Redis that will not close must not keep the
 * pool open. The caller bounds the whole with ADGATE_DRAIN_TIMEOUT_MS.
 */
export async function runDrainSteps(
  steps: readonly DrainStep[],
  log: Logger,
): Promise<DrainReport> {
  const started = performance.now();
  const report: { name: string; ms: number; error?: string }[] = [];
  let ok = true;
  for (const step of steps) {
    const t0 = performance.now();
    try {
      await step.run();
      report.push({ name: step.name, ms: Math.round(performance.now() - t0) });
      log.info('drain step done', { step: step.name, ms: Math.round(performance.now() - t0) });
    } catch (error) {
      ok = false;
      report.push({
        name: step.name,
        ms: Math.round(performance.now() - t0),
        error: errorMessage(error),
      });
      log.error('drain step failed', { step: step.name, error });
    }
  }
  return { ok, totalMs: Math.round(performance.now() - started), steps: report };
}

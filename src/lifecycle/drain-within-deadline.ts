import type { Logger } from '../telemetry/logger.js';
import type { DrainReport } from './drain-gateway.js';
import type { Lifecycle } from './lifecycle-state.js';

/** What the process drains: a started gateway (create-gateway.ts). */
export interface Drainable {
  readonly lifecycle: Lifecycle;
  drain(): Promise<DrainReport>;
  abandon(): void;
}

/**
 * Drains, then exits: 0 only after a clean drain of an instance that never
 * failed. Past `timeoutMs` (ADGATE_DRAIN_TIMEOUT_MS) the gateway is
 * abandoned and the process exits 1 (SPEC §7: nothing is lost, the next
 * instance resumes from the last committed point); a drain that rejects
 * exits 1 too.
 */
export function drainWithinDeadline(
  target: Drainable,
  timeoutMs: number,
  log: Logger,
  failedBefore: () => boolean,
): void {
  const deadline = setTimeout(() => {
    log.error('drain did not finish in time; exiting', { reason: 'drain_timeout', timeoutMs });
    target.abandon();
    process.exit(1);
  }, timeoutMs);
  target.drain().then(
    (report) => {
      clearTimeout(deadline);
      // Non-zero after a failure whatever the drain did (SPEC §7): the
      // supervisor must restart an instance that could not do its work.
      const failed = failedBefore() || !report.ok || target.lifecycle.state !== 'stopped';
      process.exit(failed ? 1 : 0);
    },
    (error: unknown) => {
      clearTimeout(deadline);
      log.error('drain failed; exiting', { reason: 'drain_failed', error });
      process.exit(1);
    },
  );
}

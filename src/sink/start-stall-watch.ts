import { AdgateError } from '../errors/adgate-error.js';
import type { ProgressWatch } from './watch-progress.js';

/**
 * Checks the progress watch a few times per `stallMs` and reports the
 * first stalled partition once as `sink_stalled` (SPEC §7: no progress
 * while messages wait is a failure, not a log line). Returns the stop.
 */
export function startStallWatch(
  progress: ProgressWatch,
  stallMs: number,
  onFailure: (error: AdgateError) => void,
): () => void {
  const timer = setInterval(
    () => {
      const stalled = progress.stalled()[0];
      if (stalled === undefined) return;
      clearInterval(timer);
      onFailure(
        new AdgateError(
          'sink_stalled',
          `partition ${stalled.partition} has ${stalled.waiting} messages waiting and its position has not moved for ${stalled.idleMs} ms (ADGATE_SINK_STALL_MS=${stallMs})`,
          { retriable: false },
        ),
      );
    },
    Math.max(10, Math.min(1_000, stallMs / 4)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

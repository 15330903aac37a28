import type { Logger } from '../telemetry/logger.js';
import { type Drainable, drainWithinDeadline } from './drain-within-deadline.js';
import { handleSignals } from './handle-signals.js';

/** Starts the gateway, given how it asks for a drain and how it reports a failure. */
export type StartDrainable = (
  onDrainRequested: () => void,
  onFatal: (error: unknown) => void,
) => Promise<Drainable>;

/**
 * Runs a gateway until it is drained. The first SIGTERM or SIGINT (or
 * POST /admin/drain) drains within `drainTimeoutMs` and exits 0; past the
 * deadline, or when the drain itself breaks, the process exits 1; an
 * instance that failed (SPEC §7) drains what it can and exits 1; a second
 * signal re-raises itself (handle-signals.ts). A drain asked for while the
 * start is pending begins when the start is done.
 */
export async function runUntilDrained(
  start: StartDrainable,
  { drainTimeoutMs, log }: { drainTimeoutMs: number; log: Logger },
): Promise<void> {
  let gateway: Drainable | undefined;
  let drainWanted = false;
  let drainStarted = false;
  let failed = false;
  const beginDrain = () => {
    drainWanted = true;
    if (gateway === undefined || drainStarted) return;
    drainStarted = true;
    drainWithinDeadline(gateway, drainTimeoutMs, log, () => failed);
  };
  handleSignals(log, { drain: beginDrain, force: () => gateway?.abandon() });
  try {
    // A part that fails after the start (the sink could not join its
    // group, its consumer stopped for good, it stalled) drains what runs
    // and exits non-zero, so that the supervisor restarts the instance.
    gateway = await start(beginDrain, () => {
      failed = true;
      beginDrain();
    });
  } catch (error) {
    log.error('adgate failed to start', { error });
    process.exit(1);
  }
  if (drainWanted) beginDrain();
}

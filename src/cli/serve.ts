import type { Config } from '../config/load-config.js';
import type { Gateway } from '../create-gateway.js';
import { runUntilDrained } from '../lifecycle/run-until-drained.js';
import type { Logger } from '../telemetry/logger.js';

type Start = (
  config: Config,
  log: Logger,
  onDrainRequested: () => void,
  onFatal: (error: unknown) => void,
) => Promise<Gateway>;

/**
 * `adgate serve`: runs the gateway until it is drained, within
 * ADGATE_DRAIN_TIMEOUT_MS. The signals, the deadline and the exit codes
 * live in lifecycle/run-until-drained.ts.
 */
export function runServe(config: Config, log: Logger, start: Start): Promise<void> {
  return runUntilDrained(
    (onDrainRequested, onFatal) => start(config, log, onDrainRequested, onFatal),
    { drainTimeoutMs: config.ADGATE_DRAIN_TIMEOUT_MS, log },
  );
}

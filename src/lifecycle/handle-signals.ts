import type { Logger } from '../telemetry/logger.js';

export interface SignalActions {
  /** The first SIGTERM or SIGINT. */
  readonly drain: () => void;
  /** The second: give up waiting on servers before the process dies. */
  readonly force: () => void;
}

/**
 * The first SIGTERM or SIGINT drains; a second one forces: the handler
 * goes and the process re-raises the signal, so that the exit is
 * immediate and its cause visible to the supervisor.
 */
export function handleSignals(log: Logger, actions: SignalActions): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.info('signal received: draining', { signal });
      actions.drain();
      return;
    }
    log.warn('second signal: forcing exit', { signal });
    actions.force();
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

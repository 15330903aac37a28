import { DependencyUnavailableError } from '../errors/adgate-error.js';

/** All pieces acknowledged, or a retriable failure once `timeoutMs` has passed. */
export function settleWithin(acks: readonly Promise<void>[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DependencyUnavailableError(
            'kafka_unavailable',
            `Kafka did not acknowledge within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  // A piece that fails after the timeout already answered is handled here.
  const all = Promise.all(acks).then(() => undefined);
  all.catch(() => undefined);
  return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
}

import type { AdgateError } from './adgate-error.js';

export interface RetryOptions {
  readonly initialDelayMs?: number;
  readonly maxDelayMs: number;
  /** Called before each new attempt; return false to give up with the last error. */
  readonly shouldContinue?: () => boolean;
  readonly onRetry?: (error: AdgateError, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, waiting with capped exponential
 * backoff after each retriable failure. A non-retriable error is thrown at
 * once: only the caller knows what to do with refused data.
 */
export async function retryWithBackoff<T>(
  operation: () => Promise<T>,
  classify: (error: unknown) => AdgateError,
  options: RetryOptions,
): Promise<T> {
  let delay = options.initialDelayMs ?? 100;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (raw) {
      const error = classify(raw);
      if (!error.retriable || options.shouldContinue?.() === false) throw error;
      options.onRetry?.(error, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs);
    }
  }
}

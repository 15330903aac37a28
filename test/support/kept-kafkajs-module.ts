import assert from 'node:assert/strict';
import type { Logger } from '../../src/telemetry/logger.js';

/**
 * The check each of adgate's kafkajs stand-ins needs once kafkajs has
 * loaded its own module: the install refuses, and says so in one warning.
 */
export function assertKeptWithWarning(install: (log: Logger) => boolean, warning: string): void {
  const warnings: string[] = [];
  const log = { warn: (msg: string) => void warnings.push(msg) } as unknown as Logger;
  assert.equal(install(log), false);
  assert.deepEqual(warnings, [warning]);
}

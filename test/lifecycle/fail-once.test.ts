import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdgateError, type ErrorReason } from '../../src/errors/adgate-error.js';
import { failOnce } from '../../src/lifecycle/fail-once.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';

const failure = (reason: ErrorReason) => new AdgateError(reason, reason, { retriable: false });

describe('failOnce', () => {
  it('moves to failed, counts and logs once, and drains once, whatever reports follow', () => {
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('ready');
    const counted: unknown[] = [];
    const metrics = { failures: { add: (_n: number, labels: unknown) => counted.push(labels) } };
    const lines: string[] = [];
    const drained: string[] = [];
    const fail = failOnce(
      lifecycle,
      metrics as unknown as Metrics,
      createLogger('info', {}, (l) => lines.push(l)),
      (error) => drained.push(error.reason),
    );
    fail(failure('sink_stalled'));
    fail(failure('kafka_consumer_crashed'));
    assert.equal(lifecycle.state, 'failed');
    assert.deepEqual(counted, [{ reason: 'sink_stalled' }]);
    assert.deepEqual(drained, ['sink_stalled']);
    assert.equal(lines.filter((l) => l.includes('adgate failed')).length, 1);
  });

  it('adds nothing once the instance stopped', () => {
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('draining');
    lifecycle.moveTo('stopped');
    const drained: string[] = [];
    const fail = failOnce(
      lifecycle,
      { failures: { add: () => undefined } } as unknown as Metrics,
      createLogger('error'),
      (error) => drained.push(error.reason),
    );
    fail(failure('sink_stalled'));
    assert.equal(lifecycle.state, 'stopped');
    assert.deepEqual(drained, []);
  });
});

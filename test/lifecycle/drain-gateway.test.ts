import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayDrainSteps, runDrainSteps } from '../../src/lifecycle/drain-gateway.js';
import { createLogger } from '../../src/telemetry/logger.js';

describe('the drain steps', () => {
  it('run in the order of SPEC §7, maintenance first, and one failure does not stop the rest', async () => {
    const ran: string[] = [];
    const part =
      (name: string, fails = false) =>
      async () => {
        ran.push(name);
        if (fails) throw new Error(`${name} broke`);
      };
    const steps = gatewayDrainSteps({
      stopMaintenance: part('maintenance'),
      closeHttp: part('http'),
      stopSink: part('sink'),
      stopDlq: part('dlq'),
      closeIngestLog: part('watermark reader'),
      closeProducer: part('producer'),
      closeRedis: part('redis', true),
      endPool: part('pool'),
      flushTracing: part('tracing'),
    });
    const report = await runDrainSteps(steps, createLogger('error'));
    assert.deepEqual(ran, [
      'maintenance',
      'http',
      'sink',
      'dlq',
      'watermark reader',
      'producer',
      'redis',
      'pool',
      'tracing',
    ]);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.steps.filter((s) => s.error !== undefined).map((s) => s.error),
      ['redis broke'],
    );
  });
});

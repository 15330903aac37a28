import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdgateError } from '../../src/errors/adgate-error.js';
import { planWorkers, type Role } from '../../src/workers/plan-workers.js';

const ALL: Role[] = ['ingress', 'sink', 'dlq'];
const kinds = (plan: ReturnType<typeof planWorkers>) =>
  plan.mode === 'single'
    ? ['single', ...plan.roles]
    : plan.workers.map((w) => `${w.kind}${w.listens ? '*' : ''}:${w.roles.join('+')}`);

describe('planWorkers', () => {
  it('splits the cores between the HTTP ingress and the sink by default', () => {
    assert.deepEqual(kinds(planWorkers({ roles: ALL }, 2)), ['ingress*:ingress', 'sink:sink+dlq']);
    assert.deepEqual(kinds(planWorkers({ roles: ALL }, 1)), ['ingress*:ingress', 'sink:sink+dlq']);
    assert.deepEqual(kinds(planWorkers({ roles: ALL }, 5)), [
      'ingress*:ingress',
      'ingress*:ingress',
      'sink:sink+dlq',
      'sink:sink+dlq',
      'sink:sink+dlq',
    ]);
  });

  it('takes the counts it is given, and numbers the workers of each kind', () => {
    const plan = planWorkers({ roles: ALL, ingressWorkers: 3, sinkWorkers: 2 }, 2);
    assert.equal(plan.mode, 'workers');
    if (plan.mode !== 'workers') return;
    assert.deepEqual(
      plan.workers.map((w) => `${w.kind}-${w.index}`),
      ['ingress-0', 'ingress-1', 'ingress-2', 'sink-0', 'sink-1'],
    );
  });

  it('runs one process, without a supervisor, when one is all it needs', () => {
    assert.deepEqual(kinds(planWorkers({ roles: ['sink'] }, 1)), ['single', 'sink']);
    assert.deepEqual(kinds(planWorkers({ roles: ['sink'], sinkWorkers: 1 }, 8)), [
      'single',
      'sink',
    ]);
    assert.deepEqual(kinds(planWorkers({ roles: ['ingress', 'dlq'] }, 1)), [
      'single',
      'ingress',
      'dlq',
    ]);
    assert.deepEqual(kinds(planWorkers({ roles: ALL, sinkWorkers: 0 }, 2)), [
      'single',
      'ingress',
      'dlq',
    ]);
    assert.deepEqual(kinds(planWorkers({ roles: ALL, ingressWorkers: 0, sinkWorkers: 1 }, 2)), [
      'single',
      'sink',
      'dlq',
    ]);
  });

  it('gives a role alone half the cores too', () => {
    assert.deepEqual(kinds(planWorkers({ roles: ['sink'] }, 2)), ['single', 'sink']);
    assert.deepEqual(kinds(planWorkers({ roles: ['sink'] }, 4)), ['sink*:sink', 'sink:sink']);
    assert.deepEqual(kinds(planWorkers({ roles: ['ingress'] }, 4)), [
      'ingress*:ingress',
      'ingress*:ingress',
    ]);
  });

  it('runs every role in one process when asked (ADGATE_SINGLE_PROCESS)', () => {
    assert.deepEqual(kinds(planWorkers({ roles: ALL, singleProcess: true }, 8)), [
      'single',
      'ingress',
      'sink',
      'dlq',
    ]);
    assert.deepEqual(kinds(planWorkers({ roles: ALL, singleProcess: true, sinkWorkers: 0 }, 8)), [
      'single',
      'ingress',
      'dlq',
    ]);
    assert.throws(
      () => planWorkers({ roles: ALL, singleProcess: true, sinkWorkers: 2 }, 8),
      (error: unknown) => error instanceof AdgateError && error.reason === 'config_invalid',
    );
  });

  it('serves HTTP (probes, /metrics) from the first sink worker when the ingress is off', () => {
    assert.deepEqual(kinds(planWorkers({ roles: ALL, ingressWorkers: 0, sinkWorkers: 2 }, 2)), [
      'sink*:sink+dlq',
      'sink:sink+dlq',
    ]);
  });

  it('refuses a plan with nothing to run', () => {
    assert.throws(
      () => planWorkers({ roles: ['ingress', 'sink'], ingressWorkers: 0, sinkWorkers: 0 }, 2),
      (error: unknown) => error instanceof AdgateError && error.reason === 'config_invalid',
    );
  });
});

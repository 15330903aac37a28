import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { runServe } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Gateway } from '../../src/create-gateway.js';
import type { DrainReport } from '../../src/lifecycle/drain-gateway.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { waitFor } from '../../testkit/wait-for.js';

// runServe's exit codes with a stand-in gateway: what matters here is the
// decision (0 only after a clean drain of an instance that never failed),
// not the servers, which the integration tests cover.

const OK: DrainReport = { ok: true, totalMs: 1, steps: [] };

function fakeGateway(drain: (lifecycle: Lifecycle) => Promise<DrainReport>): Gateway {
  const lifecycle = new Lifecycle();
  lifecycle.moveTo('ready');
  let draining: Promise<DrainReport> | undefined;
  return {
    lifecycle,
    metrics: undefined as never,
    port: 0,
    fail: () => undefined,
    abandon: () => undefined,
    drain: () => {
      draining ??= drain(lifecycle);
      return draining;
    },
  };
}

describe('adgate serve: exit codes', () => {
  let exits: number[];
  let lines: string[];
  const signalListeners = new Map<string, ((...args: never) => unknown)[]>();
  beforeEach(() => {
    exits = [];
    lines = [];
    for (const s of ['SIGTERM', 'SIGINT'])
      signalListeners.set(s, process.listeners(s as 'SIGTERM'));
    mock.method(process, 'exit', (code?: number) => {
      exits.push(code ?? 0);
    });
  });
  afterEach(() => {
    mock.restoreAll();
    // runServe's own signal handlers go; the runner's stay.
    for (const [signal, before] of signalListeners) {
      for (const l of process.listeners(signal as 'SIGTERM')) {
        if (!before.includes(l)) process.removeListener(signal, l as () => void);
      }
    }
  });
  const run = (start: Parameters<typeof runServe>[2]) =>
    runServe(
      loadConfig({}),
      createLogger('info', {}, (l) => lines.push(l)),
      start,
    );

  it('exits 0 after a clean drain', async () => {
    const gateway = fakeGateway(async (lifecycle) => {
      lifecycle.moveTo('draining');
      lifecycle.moveTo('stopped');
      return OK;
    });
    await run(async (_c, _l, requestDrain) => {
      setImmediate(requestDrain);
      return gateway;
    });
    await waitFor('the exit', () => exits.length > 0);
    assert.deepEqual(exits, [0]);
  });

  it('exits 1 when the drain itself rejects, and says so in the log', async () => {
    const gateway = fakeGateway(async () => {
      throw new Error('boom');
    });
    await run(async (_c, _l, requestDrain) => {
      setImmediate(requestDrain);
      return gateway;
    });
    await waitFor('the exit', () => exits.length > 0);
    assert.deepEqual(exits, [1]);
    assert.ok(
      lines.some((l) => l.includes('"msg":"drain failed; exiting"')),
      lines.join(''),
    );
  });

  it('exits 1 after a failure even when the drain that follows went well', async () => {
    const gateway = fakeGateway(async (lifecycle) => {
      lifecycle.moveTo('draining'); // refused: failed is sticky
      lifecycle.moveTo('stopped');
      return OK;
    });
    await run(async (_c, _l, _requestDrain, onFatal) => {
      setImmediate(() => {
        gateway.lifecycle.moveTo('failed');
        onFatal(new Error('the sink stopped'));
      });
      return gateway;
    });
    await waitFor('the exit', () => exits.length > 0);
    assert.equal(gateway.lifecycle.state, 'failed');
    assert.deepEqual(exits, [1]);
  });

  it('exits 1 when the instance ended failed though nobody called onFatal', async () => {
    const gateway = fakeGateway(async (lifecycle) => {
      lifecycle.moveTo('failed');
      return OK;
    });
    await run(async (_c, _l, requestDrain) => {
      setImmediate(requestDrain);
      return gateway;
    });
    await waitFor('the exit', () => exits.length > 0);
    assert.deepEqual(exits, [1]);
  });
});

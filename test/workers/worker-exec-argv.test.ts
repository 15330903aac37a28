import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { WORKER_V8_FLAGS, workerExecArgv } from '../../src/workers/worker-exec-argv.js';

const SEMI = WORKER_V8_FLAGS['--max-semi-space-size'] as number;
const ALL = Object.entries(WORKER_V8_FLAGS).map(([flag, value]) => `${flag}=${value}`);

describe('workerExecArgv', () => {
  it("adds the workers' heap settings to the supervisor's own options", () => {
    assert.deepEqual(workerExecArgv([], undefined), ALL);
    assert.deepEqual(workerExecArgv(['--enable-source-maps'], '--import x.js'), [
      '--enable-source-maps',
      ...ALL,
    ]);
  });

  it('leaves a setting the operator gave, on the command line or in NODE_OPTIONS', () => {
    const others = (flag: string) => ALL.filter((a) => !a.startsWith(flag));
    assert.deepEqual(workerExecArgv(['--max-semi-space-size=16'], undefined), [
      '--max-semi-space-size=16',
      ...others('--max-semi-space-size'),
    ]);
    assert.deepEqual(workerExecArgv(['--max-semi-space-size', '2'], ''), [
      '--max-semi-space-size',
      '2',
      ...others('--max-semi-space-size'),
    ]);
    assert.deepEqual(
      workerExecArgv([], ' --max-semi-space-size=32  --trace-gc'),
      others('--max-semi-space-size'),
    );
  });

  it('gives flags this Node accepts, and V8 caps the young generation with them', () => {
    // Objects that survive their scavenges, as a flush's do: without the
    // cap V8 grows the young generation to 32 MB for this.
    const script = `const v8 = require('node:v8');
      const keep = [];
      for (let i = 0; i < 3e5; i++) keep.push({ i, s: 'x' + i });
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      console.log(space.space_size, keep.length);`;
    const run = spawnSync(process.execPath, [...workerExecArgv([], undefined), '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const [size, kept] = run.stdout.trim().split(' ');
    assert.equal(kept, '300000');
    // Two semi-spaces at most (V8 reports both as new_space).
    assert.ok(Number(size) <= 2 * SEMI * 1024 * 1024, `new_space ${size} bytes`);
  });
});

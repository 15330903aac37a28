import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor, within } from '../../testkit/wait-for.js';

// A bench interrupted by Ctrl-C left its detached gateway running. Here a
// parent process spawns detached children as startGatewayProcess does
// (their own process group, a grandchild in it, as a gateway's workers
// are), registers them, and is stopped: every process of those groups
// must be gone, and the parent must end as the signal or exit says.

const MODULE = new URL('../../testkit/kill-groups-on-exit.js', import.meta.url).href;

/** The parent: two detached `sh` groups, each with a `sleep` inside; prints their pids, then waits. */
const PARENT = `
  import { spawn } from 'node:child_process';
  const { cleanUpOnInterrupt, killGroupOnExit } = await import('${MODULE}');
  const { writeFile } = await import('node:fs/promises');
  const marker = process.argv.find((a) => a.startsWith('--marker='))?.slice(9);
  if (marker !== undefined) {
    // An asynchronous cleanup, as a bench's removal of its databases and topics is.
    cleanUpOnInterrupt(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await writeFile(marker, 'cleaned');
    });
    cleanUpOnInterrupt(async () => { throw new Error('one cleanup failing stops no other'); });
    const released = cleanUpOnInterrupt(async () => writeFile(marker + '.released', 'ran'));
    released();
  }
  const pids = [];
  for (let i = 0; i < 2; i += 1) {
    const child = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    killGroupOnExit(child);
    const inner = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    pids.push(child.pid, inner);
  }
  process.stdout.write(JSON.stringify(pids) + '\\n');
  if (process.argv.includes('--exit')) process.exit(3);
  setInterval(() => {}, 1000);
`;

/** Alive and not a zombie (a zombie has exited, only its entry is left). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function startParent(args: string[] = []) {
  const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT, '--', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    parent.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const line = await within(
    15_000,
    'the parent printing its children',
    new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(String(d)))),
  );
  return { parent, exited, pids: JSON.parse(line) as number[] };
}

describe('testkit/kill-groups-on-exit.ts: detached children do not outlive an interrupted run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`kills every process of the registered groups on ${signal}, and the parent still ends by it`, async () => {
      const { parent, exited, pids } = await startParent();
      assert.equal(pids.length, 4);
      assert.ok(pids.every(running), 'the children run before the signal');
      parent.kill(signal);
      assert.deepEqual(await within(15_000, 'the parent exit', exited), { code: null, signal });
      await waitFor('every child gone', () => pids.every((pid) => !running(pid)), 15_000, 50);
    });
  }

  it('runs the cleanups registered, after the kill and before the signal ends the parent', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'adgate-interrupt-')), 'marker');
    const { parent, exited, pids } = await startParent([`--marker=${marker}`]);
    parent.kill('SIGINT');
    assert.deepEqual(await within(15_000, 'the parent exit', exited), {
      code: null,
      signal: 'SIGINT',
    });
    assert.equal(readFileSync(marker, 'utf8'), 'cleaned');
    assert.equal(existsSync(`${marker}.released`), false, 'an unregistered cleanup does not run');
    await waitFor('every child gone', () => pids.every((pid) => !running(pid)), 15_000, 50);
  });

  it('kills them on process.exit too, with the exit code kept', async () => {
    const { exited, pids } = await startParent(['--exit']);
    assert.deepEqual(await within(15_000, 'the parent exit', exited), { code: 3, signal: null });
    await waitFor('every child gone', () => pids.every((pid) => !running(pid)), 15_000, 50);
  });
});

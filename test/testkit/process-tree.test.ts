import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  parseChildren,
  parseStat,
  parseStatusMemory,
  readProcessTree,
  TreeTotals,
  workerRoleOf,
} from '../../testkit/process-tree.js';

/** A /proc/<pid>/stat line: utime, stime and starttime where stat(5) puts them. */
function statLine(
  pid: number,
  comm: string,
  ppid: number,
  utime: number,
  stime: number,
  start: number,
) {
  // Fields 3..22: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itrealvalue starttime, then more.
  const rest = [
    'S',
    ppid,
    ppid,
    ppid,
    0,
    -1,
    4194560,
    10,
    0,
    0,
    0,
    utime,
    stime,
    7,
    7,
    20,
    0,
    11,
    0,
    start,
  ];
  return `${pid} (${comm}) ${rest.join(' ')} 1234 5678 0\n`;
}

/** A /proc/<pid>/status; fileKb undefined: a kernel without the RssAnon/RssFile lines. */
const status = (rssKb: number, hwmKb: number, fileKb?: number) =>
  `Name:\tnode\nState:\tS (sleeping)\nVmHWM:\t  ${hwmKb} kB\nVmRSS:\t  ${rssKb} kB\n${
    fileKb === undefined
      ? ''
      : `RssAnon:\t  ${rssKb - fileKb} kB\nRssFile:\t  ${fileKb} kB\nRssShmem:\t  0 kB\n`
  }Threads:\t11\n`;

interface FakeProcess {
  pid: number;
  ppid: number;
  cmdline: string[];
  ticks: [number, number];
  rssKb: number;
  fileKb?: number;
  children?: Record<number, number[]>;
  zombie?: boolean;
}

function fakeProc(processes: FakeProcess[]): string {
  const root = mkdtempSync(join(tmpdir(), 'adgate-proc-'));
  for (const p of processes) {
    const dir = join(root, String(p.pid));
    const threads = p.children ?? { [p.pid]: [] };
    for (const [tid, children] of Object.entries(threads)) {
      mkdirSync(join(dir, 'task', tid), { recursive: true });
      writeFileSync(join(dir, 'task', tid, 'children'), children.map((c) => `${c} `).join(''));
    }
    writeFileSync(join(dir, 'stat'), statLine(p.pid, 'node', p.ppid, ...p.ticks, 1000 + p.pid));
    writeFileSync(
      join(dir, 'status'),
      p.zombie ? 'Name:\tnode\nState:\tZ (zombie)\n' : status(p.rssKb, p.rssKb + 10, p.fileKb),
    );
    writeFileSync(join(dir, 'cmdline'), `${p.cmdline.join('\0')}\0`);
  }
  return root;
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('process tree: the parsers', () => {
  it('reads utime + stime, ppid and start time after a command name holding ") ("', () => {
    const stat = parseStat(statLine(42, 'we) (ird', 7, 150, 50, 9999));
    assert.deepEqual(stat, { ppid: 7, cpuTicks: 200, startTicks: 9999 });
    assert.equal(parseStat('garbage'), undefined);
    assert.equal(parseStat('1 (x) S 1 2'), undefined);
  });

  it('reads VmRSS, VmHWM and RssFile in bytes (RssFile 0 where the kernel has none), and nothing from a zombie', () => {
    assert.deepEqual(parseStatusMemory(status(2048, 4096, 600)), {
      rssBytes: 2048 * 1024,
      hwmBytes: 4096 * 1024,
      fileBytes: 600 * 1024,
    });
    assert.deepEqual(parseStatusMemory(status(2048, 4096)), {
      rssBytes: 2048 * 1024,
      hwmBytes: 4096 * 1024,
      fileBytes: 0,
    });
    assert.equal(parseStatusMemory('Name:\tnode\nState:\tZ (zombie)\n'), undefined);
  });

  it('reads a children file, empty included', () => {
    assert.deepEqual(parseChildren('101 102 \n'), [101, 102]);
    assert.deepEqual(parseChildren(''), []);
  });

  it('finds the worker role in a NUL-separated command line', () => {
    const argv = (...a: string[]) => `${a.join('\0')}\0`;
    assert.equal(
      workerRoleOf(argv('/usr/bin/node', 'main.js', 'serve', '--worker', 'sink')),
      'sink',
    );
    assert.equal(workerRoleOf(argv('node', 'main.js', 'serve', '--worker=ingress')), 'ingress');
    assert.equal(workerRoleOf(argv('node', 'main.js', 'serve', '--worker', 'dlq')), 'other');
    assert.equal(workerRoleOf(argv('node', 'main.js', 'serve')), undefined);
    assert.equal(workerRoleOf(argv('node', 'main.js', 'serve', '--worker')), 'other');
    assert.equal(workerRoleOf(''), undefined);
  });
});

describe('process tree: a supervisor and its workers from a /proc-shaped directory', () => {
  it("walks every thread's children, gives each process its role, and skips zombies", () => {
    const root = fakeProc([
      {
        pid: 100,
        ppid: 1,
        cmdline: ['node', 'main.js', 'serve'],
        ticks: [30, 10],
        rssKb: 50_000,
        fileKb: 44_000,
        // A fork may come from another thread of the primary.
        children: { 100: [101], 105: [102, 103] },
      },
      {
        pid: 101,
        ppid: 100,
        cmdline: ['node', 'main.js', 'serve', '--worker', 'ingress'],
        ticks: [100, 20],
        rssKb: 80_000,
        fileKb: 44_000,
      },
      {
        pid: 102,
        ppid: 100,
        cmdline: ['node', 'main.js', 'serve', '--worker', 'sink'],
        ticks: [200, 40],
        rssKb: 90_000,
        fileKb: 45_000,
        children: { 102: [104] },
      },
      {
        pid: 103,
        ppid: 100,
        cmdline: ['node', 'main.js', 'serve', '--worker', 'sink'],
        ticks: [0, 0],
        rssKb: 0,
        zombie: true,
      },
      // A helper the sink worker started: its CPU is the sink's.
      { pid: 104, ppid: 102, cmdline: ['sh', '-c', 'true'], ticks: [5, 5], rssKb: 1_000 },
    ]);
    made.push(root);
    const tree = readProcessTree(100, root);
    const byPid = new Map(tree.map((p) => [p.pid, p]));
    assert.deepEqual([...byPid.keys()].sort(), [100, 101, 102, 104]);
    assert.equal(byPid.get(100)?.role, 'supervisor');
    assert.equal(byPid.get(101)?.role, 'ingress');
    assert.equal(byPid.get(102)?.role, 'sink');
    assert.equal(byPid.get(104)?.role, 'sink');
    const reading = new TreeTotals(100).add(tree);
    assert.equal(reading.rssBytes, (50_000 + 80_000 + 90_000 + 1_000) * 1024);
    // The file-backed pages once, by the largest RssFile: the anonymous
    // parts (6,000 + 36,000 + 45,000, and the helper's 1,000 with no
    // RssFile line) plus 45,000.
    assert.equal(reading.residentBytes, (6_000 + 36_000 + 45_000 + 1_000 + 45_000) * 1024);
    assert.deepEqual(reading.processes, { supervisor: 1, ingress: 1, sink: 2, other: 0 });
    assert.deepEqual(reading.cpuSecondsByRole, {
      supervisor: 0.4,
      ingress: 1.2,
      sink: 2.5,
      other: 0,
    });
    assert.ok(Math.abs(reading.cpuSeconds - 4.1) < 1e-9);
  });

  it('reads one process with no children as the supervisor alone, and nothing for a gone pid', () => {
    const root = fakeProc([
      { pid: 7, ppid: 1, cmdline: ['node', 'main.js', 'serve'], ticks: [3, 1], rssKb: 1_000 },
    ]);
    made.push(root);
    const tree = readProcessTree(7, root);
    assert.deepEqual(
      tree.map((p) => [p.pid, p.role]),
      [[7, 'supervisor']],
    );
    assert.deepEqual(readProcessTree(8, root), []);
  });
});

describe("TreeTotals: the tree's CPU only grows", () => {
  const proc = (pid: number, start: number, role: 'sink' | 'supervisor', cpuTicks: number) => ({
    pid,
    startTicks: start,
    role,
    cpuTicks,
    rssBytes: 1_000,
    hwmBytes: 2_000,
    fileBytes: 400,
  });

  it('keeps the CPU of a worker that exited, and counts a reused pid as another process', () => {
    const totals = new TreeTotals(100);
    totals.add([proc(1, 10, 'supervisor', 100), proc(2, 20, 'sink', 300)]);
    const afterExit = totals.add([proc(1, 10, 'supervisor', 110)]);
    assert.ok(Math.abs(afterExit.cpuSeconds - 4.1) < 1e-9);
    assert.equal(afterExit.rssBytes, 1_000);
    assert.equal(afterExit.residentBytes, 1_000);
    assert.equal(afterExit.processes.sink, 0);
    const reused = totals.add([proc(1, 10, 'supervisor', 110), proc(2, 99, 'sink', 50)]);
    assert.ok(Math.abs(reused.cpuSecondsByRole.sink - 3.5) < 1e-9);
    assert.equal(reused.hwmSumBytes, 4_000);
    // Two processes of 1,000 each, 400 of each file-backed: 600 + 600 + 400.
    assert.equal(reused.residentBytes, 1_600);
  });
});

/**
 * Reads a .cpuprofile (the bench's --profile, or node --cpu-prof) and
 * prints where the time went: self time by function and by file or
 * package, and the inclusive time of the functions named with --inclusive.
 *
 *   node dist/loadtest/bench/summarize-profile.js <file> [--top N] [--inclusive a,b,c]
 *
 * Sampled wall time: on a loaded machine a sample taken while the process
 * waited for a core counts for whatever was on its stack, so compare
 * shares within one profile rather than milliseconds between two.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const NOT_BUSY = new Set(['(idle)', '(program)']);

function shortFile(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  return dist !== -1 ? url.slice(dist + 1) : url.replace(/^file:\/\//, '');
}

/** A package's name for files in node_modules, else the file. */
function ownerOf(file: string, url: string): string {
  if (!url.includes('node_modules/')) return file;
  const parts = file.split('/');
  return parts.slice(0, parts[0]?.startsWith('@') ? 2 : 1).join('/');
}

function summarize(profile: Profile, top: number, inclusive: readonly string[]): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const included = new Map(inclusive.map((name) => [name, 0]));
  let total = 0;
  let busy = 0;
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    const file = shortFile(url);
    total += us;
    if (!NOT_BUSY.has(functionName)) busy += us;
    add(byFunction, `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`, us);
    add(byOwner, ownerOf(file, url), us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = (byId.get(at) as ProfileNode).callFrame.functionName;
      if (included.has(name) && !seen.has(name)) {
        seen.add(name);
        add(included, name, us);
      }
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(8)} ms`;
  const share = (us: number, of: number) => `${((100 * us) / of).toFixed(1).padStart(5)}%`;
  const table = (title: string, map: Map<string, number>, of: number, n: number) => [
    '',
    title,
    ...[...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `${ms(us)} ${share(us, of)}  ${key}`),
  ];
  return [
    `sampled ${ms(total).trim()}, busy (not idle or program) ${ms(busy).trim()}`,
    ...table('self time by function (share of all samples)', byFunction, total, top),
    ...table('self time by file or package', byOwner, total, top),
    ...(inclusive.length > 0
      ? table('inclusive time (share of busy)', included, busy, inclusive.length)
      : []),
  ];
}

const USAGE = `usage: summarize-profile.js <file.cpuprofile> [--top N] [--inclusive a,b]
  --top N          functions and files listed by self time (default 40)
  --inclusive a,b  also the time spent in these functions and what they call, as a share of busy time
`;

function main(argv: readonly string[]): void {
  if (argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  const file = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  if (file === undefined) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const top = Number(option('--top') ?? 40);
  const inclusive = (option('--inclusive') ?? '').split(',').filter((s) => s !== '');
  process.stdout.write(`${summarize(profile, top, inclusive).join('\n')}\n`);
}

main(process.argv.slice(2));

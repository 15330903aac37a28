/**
 * Preloaded into the gateway under test with `--profile`
 * (NODE_OPTIONS=--import=<this file>; `--cpu-prof` itself is not allowed in
 * NODE_OPTIONS): samples the CPU from start to exit and writes a
 * .cpuprofile to $BENCH_PROFILE_FILE, for Chrome DevTools or speedscope.
 * Worker processes inherit the preload: each writes its own file, named by
 * its role (gateway.ingress-0.cpuprofile, gateway.sink-0.cpuprofile), and
 * the supervisor (or the one process) writes $BENCH_PROFILE_FILE itself;
 * otherwise the supervisor, which exits last, would write over theirs.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** `serve --worker sink --worker-index 0` → `<file>.sink-0.cpuprofile`; the file itself otherwise. */
function profileFileOf(file: string, argv: readonly string[]): string {
  const at = (flag: string) => argv[argv.indexOf(flag) + 1];
  if (!argv.includes('--worker')) return file;
  return file.replace(/(\.cpuprofile)?$/, `.${at('--worker')}-${at('--worker-index')}$1`);
}

const file = process.env.BENCH_PROFILE_FILE;
const target = file === undefined || file === '' ? undefined : profileFileOf(file, process.argv);
if (target !== undefined) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1_000 });
  session.post('Profiler.start');
  // The gateway ends with process.exit after its drain; a main-thread
  // inspector session answers synchronously, so the profile is written here.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(target, JSON.stringify(result.profile));
    });
  });
}

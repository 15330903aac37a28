/**
 * Preloaded into the gateway under test with `--profile`
 * (NODE_OPTIONS=--import=<this file>; `--cpu-prof` itself is not allowed in
 * NODE_OPTIONS): samples the CPU from start to exit and writes a
 * .cpuprofile to $BENCH_PROFILE_FILE, for Chrome DevTools or speedscope.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
const target = process.env.BENCH_PROFILE_FILE;
if (target !== undefined && target !== '') {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1_000 });
    session.post('Profiler.start');
    // The gateway ends with process.exit after its drain; a main-thread
    // inspector session answers synchronously, so the profile is written here.
    process.on('exit', () => {
        session.post('Profiler.stop', (error, result) => {
            if (error === null)
                writeFileSync(target, JSON.stringify(result.profile));
        });
    });
}
//# sourceMappingURL=profile-hook.js.map
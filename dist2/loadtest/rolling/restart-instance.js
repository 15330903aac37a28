import { waitFor, within } from '../../testkit/wait-for.js';
import { sleep } from '../common/say.js';
import { lagOf, recoveryOf } from '../measure/measure-lag.js';
import { fmtInt } from '../report/report-table.js';
import { exitText } from './instance.js';
/** The lag counts as back once it stayed under the threshold this long. */
const CALM_MS = 1_000;
/** The lag threshold in events: --lag-threshold seconds of traffic at --rate. */
export const lagThreshold = (options) => options.lagThreshold * options.rate;
/**
 * One restart of the instance in `slot`: the signal (SIGTERM for a drain,
 * SIGKILL for a kill), its exit, the replacement on the same port, and the
 * load running on until the lag is back under the threshold.
 */
export async function restartInstance(ctx, phase, slot) {
    const stopped = await signalAndExit(ctx, phase, slot);
    const started = await startReplacement(ctx, phase, slot, stopped.signalAt);
    ctx.steady.stage = `${phase} ${started.replacement.label} settling`;
    const windowEnd = await settle(ctx, stopped.signalAt, started.partitionsAt);
    const figures = restartFigures(ctx, phase, slot, { ...stopped, ...started, windowEnd });
    const recovery = figures.lagNeverAboveThreshold
        ? '(never above)'
        : figures.recoverySeconds === undefined
            ? 'NOT yet'
            : `${figures.recoverySeconds.toFixed(1)} s`;
    const retries = figures.retries503 + figures.retriesRefused;
    ctx.run.say(`${phase}: ${figures.instance} → ${figures.replacement}: max lag ${fmtInt(figures.maxLag)} (${figures.maxLagSeconds.toFixed(2)} s), lag back under ${fmtInt(lagThreshold(ctx.options))} ${recovery} after the ${figures.signal}, ${retries} retries`);
    return figures;
}
async function signalAndExit(ctx, phase, slot) {
    const { fleet, steady, run, options } = ctx;
    const old = fleet.live[slot];
    if (old === undefined)
        throw new Error(`no instance in slot ${slot + 1}`);
    const signal = phase === 'drain' ? 'SIGTERM' : 'SIGKILL';
    steady.stage = `${phase} ${old.label}`;
    fleet.states[slot] = phase === 'drain' ? 'draining' : 'killed';
    const lagAtSignal = steady.lag.latest ? lagOf(steady.lag.latest) : 0;
    run.say(`${phase}: ${signal} ${old.label}`);
    const signalAt = Date.now();
    old.process.child.kill(signal);
    const exit = await within(options.drainTimeoutMs + 15_000, `${old.label} exit after ${signal}`, old.process.exited()).catch(async (error) => {
        run.say(`${old.label}: ${error.message}; SIGKILL`);
        old.process.child.kill('SIGKILL');
        return old.process.exited();
    });
    const exitAt = Date.now();
    fleet.states[slot] = 'down';
    fleet.live[slot] = undefined;
    await fleet.saveLog(old);
    run.say(`${phase}: ${old.label} exited ${exitText(exit)} ${((exitAt - signalAt) / 1000).toFixed(2)} s after ${signal}; starting its replacement`);
    return { old, signal, signalAt, exit, exitAt, lagAtSignal };
}
async function startReplacement(ctx, phase, slot, signalAt) {
    const replacement = await ctx.fleet.launch(slot);
    await waitFor(`${replacement.label} to own partitions`, () => replacement.firstPartitionsAt() !== undefined, 90_000, 50);
    ctx.fleet.states[slot] = 'up';
    const partitionsAt = replacement.firstPartitionsAt() ?? Date.now();
    const readyAt = replacement.first('adgate ready')?.t;
    const since = (t) => ((t - signalAt) / 1000).toFixed(1);
    ctx.run.say(`${phase}: ${replacement.label} ready ${readyAt === undefined ? '?' : since(readyAt)} s, owns [${replacement.lastAssignment()?.join(',')}] ${since(partitionsAt)} s after the signal`);
    return { replacement, partitionsAt, readyAt };
}
/**
 * Runs the load on for --settle seconds after the replacement owns
 * partitions, and until the lag has been back under the threshold for a
 * second (at most --recovery-timeout from the signal). When the window ends.
 */
async function settle(ctx, signalAt, partitionsAt) {
    const { options, steady } = ctx;
    const threshold = lagThreshold(options);
    const recovered = () => recoveryOf(steady.lag.samples.filter((s) => s.t >= signalAt), threshold, signalAt, CALM_MS).seconds !== undefined;
    for (;;) {
        const now = Date.now();
        const settled = now - partitionsAt >= options.settle * 1000;
        if (settled && (recovered() || now - signalAt >= options.recoveryTimeout * 1000)) {
            return Date.now();
        }
        await sleep(100);
    }
}
function restartFigures(ctx, phase, slot, r) {
    const { options, steady, fleet } = ctx;
    const { old, signalAt, windowEnd } = r;
    const since = (t) => (t - signalAt) / 1000;
    const window = steady.lag.samples.filter((s) => s.t >= signalAt && s.t <= windowEnd);
    let peak;
    for (const s of window)
        if (peak === undefined || lagOf(s) > lagOf(peak))
            peak = s;
    const maxLag = peak ? lagOf(peak) : 0;
    const recovery = recoveryOf(window, lagThreshold(options), signalAt, CALM_MS);
    const retries = steady.client.retries.filter((x) => x.t >= signalAt && x.t <= windowEnd);
    const everyone = [old, ...fleet.live.filter((i) => i !== undefined)];
    const seen = old.first('signal received: draining')?.t;
    const finished = old.first('drain finished')?.t;
    return {
        phase,
        instance: old.label,
        replacement: r.replacement.label,
        signal: r.signal,
        at: steady.rel(signalAt),
        exit: exitText(r.exit),
        drainSeconds: since(r.exitAt),
        ...(seen === undefined ? {} : { signalSeenSeconds: since(seen) }),
        drainSteps: old.drainSteps(),
        ...(finished === undefined ? {} : { drainFinishedSeconds: since(finished) }),
        ...(r.readyAt === undefined ? {} : { readySeconds: since(r.readyAt) }),
        partitionsSeconds: since(r.partitionsAt),
        lagAtSignal: r.lagAtSignal,
        maxLag,
        maxLagSeconds: maxLag / options.rate,
        maxLagAfter: peak ? since(peak.t) : 0,
        ...(recovery.seconds === undefined ? {} : { recoverySeconds: recovery.seconds }),
        lagNeverAboveThreshold: recovery.neverAbove,
        windowSeconds: since(windowEnd),
        retries503: retries.filter((x) => x.status === 503).length,
        retriesRefused: retries.filter((x) => x.status !== 503).length,
        replacementFirstAcksMs: steady.client.acks
            .filter((a) => a.instance === slot && a.t >= (r.readyAt ?? r.exitAt))
            .slice(0, 5)
            .map((a) => Math.round(a.ms)),
        assignments: assignmentsSeen(everyone, signalAt, windowEnd),
        problems: problemsLogged(everyone, signalAt, windowEnd),
    };
}
/** Every 'partitions assigned' line any instance logged in the window, in seconds from its start. */
function assignmentsSeen(everyone, from, to) {
    return everyone
        .flatMap((i) => i
        .assignments()
        .filter((a) => a.t >= from && a.t <= to)
        .map((a) => ({ at: (a.t - from) / 1000, instance: i.label, partitions: a.partitions })))
        .sort((a, b) => a.at - b.at);
}
/** Warnings and errors logged in the window, counted by instance, level, message and reason. */
function problemsLogged(everyone, from, to) {
    const problems = new Map();
    for (const i of everyone) {
        // What a fresh process says before it is ready (the development key, say) is not news.
        const ready = i.first('adgate ready')?.t ?? 0;
        for (const e of i.events()) {
            if (e.t < Math.max(from, ready) || e.t > to)
                continue;
            if (e.level !== 'warn' && e.level !== 'error')
                continue;
            const error = e.fields.error;
            const reason = e.fields.reason ??
                (typeof error === 'string' ? error : error?.message);
            const line = `${i.label} ${e.level} "${e.msg}"${reason === undefined ? '' : ` (${String(reason).slice(0, 100)})`}`;
            problems.set(line, (problems.get(line) ?? 0) + 1);
        }
    }
    return [...problems].map(([line, count]) => ({ line, count }));
}
//# sourceMappingURL=restart-instance.js.map
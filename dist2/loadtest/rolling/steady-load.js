import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';
import { BalancedHttpLoad } from '../load/balanced-http-load.js';
import { driveLoad } from '../load/drive-load.js';
import { MachineSampler } from '../measure/machine-sampler.js';
import { LagSampler, lagOf } from '../measure/measure-lag.js';
import { fmtInt } from '../report/report-table.js';
/**
 * The steady HTTP load through every restart, open loop at --rate, through
 * a client that behaves like a load balancer; the lag and machine samplers
 * that watch it; and a progress line.
 */
export class SteadyLoad {
    run;
    options;
    fleet;
    client;
    lag;
    machine = new MachineSampler();
    expected = new ExpectedTotals();
    /** Items sent so far at chosen moments, to compute a phase's offered rate. */
    itemsAt = [];
    /** Epoch ms the load began: the zero of the report's time axis. */
    t0 = Date.now();
    /** What is under way, for the progress line. */
    stage = 'warm-up';
    load;
    stopRequested = false;
    done;
    progress;
    constructor(run, options, fleet) {
        this.run = run;
        this.options = options;
        this.fleet = fleet;
        this.client = new BalancedHttpLoad(fleet.urls, options.connections, {
            healthEveryMs: options.healthEveryMs,
            giveUpMs: 120_000,
        });
        this.lag = new LagSampler(run.admin, run.names.topic, run.names.group, options.sampleEveryMs);
    }
    /** Relative seconds on the report's time axis. */
    rel(t) {
        return (t - this.t0) / 1000;
    }
    start() {
        const o = this.options;
        this.client.startHealthChecks();
        const router = new StreamRouter(generateChunks({
            seed: o.seed,
            duplicateShare: o.duplicates,
            malformedShare: o.malformed,
            outOfOrderShare: o.outOfOrder,
            nowMs: o.nowMs,
        }), this.expected, {
            seed: o.seed,
            kafkaShare: 0,
            retryShare: o.retries,
            batchSize: o.batchSize,
            kafkaBatch: 1_000,
        });
        this.t0 = Date.now();
        this.itemsAt.push({ t: this.t0, items: 0 });
        this.lag.start();
        this.machine.start(1_000);
        const settings = {
            name: 'steady',
            rate: o.rate,
            durationMs: Number.POSITIVE_INFINITY,
            httpSlots: o.connections * 2,
            kafkaSlots: 1,
            until: () => this.stopRequested,
        };
        this.done = driveLoad(router, this.client, undefined, settings, (p) => {
            this.load = p;
        });
        this.done.catch(() => undefined);
        this.startProgress();
    }
    markItems() {
        this.itemsAt.push({ t: Date.now(), items: this.load?.items ?? 0 });
    }
    startProgress() {
        const everyMs = this.options.progressEvery * 1000;
        let last = { t: this.t0, items: 0 };
        this.progress = setInterval(() => {
            const now = Date.now();
            const items = this.load?.items ?? 0;
            const sample = this.lag.latest;
            const lagNow = sample ? lagOf(sample) : undefined;
            const rate = ((items - last.items) * 1000) / Math.max(1, now - last.t);
            const fleet = this.fleet;
            const instances = fleet.live.map((_, s) => `${fleet.labels[s]} ${fleet.states[s]}`);
            const lagSeconds = lagNow === undefined ? '–' : (lagNow / this.options.rate).toFixed(2);
            const busy = this.machine.busyBetween(now - everyMs, now) * 100;
            this.run.say(`${this.stage}: sent ${fmtInt(items)} (${fmtInt(rate)}/s) | retries ${fmtInt(this.client.retries.length)} | lag ${fmtInt(lagNow)} (${lagSeconds} s) | ${instances.join(', ')} | machine ${busy.toFixed(0)}% busy`);
            last = { t: now, items };
        }, everyMs);
    }
    /** Ends the load at the next chunk boundary; what it sent. */
    async finish() {
        this.stage = 'load ending';
        this.stopRequested = true;
        if (this.done === undefined)
            throw new Error('the load never started');
        const load = await this.done;
        this.markItems();
        return load;
    }
    /** Stops the samplers and the health checks once the final drain is over. */
    stopWatching() {
        clearInterval(this.progress);
        this.lag.stop();
        this.machine.stop();
        this.client.stopHealthChecks();
    }
    /** When a run ends early: requests still trying give up at once, so that the load ends. */
    async close() {
        clearInterval(this.progress);
        this.stopRequested = true;
        this.lag.stop();
        this.machine.stop();
        await this.client.close().catch(() => undefined);
    }
    async settled() {
        await this.done?.catch(() => undefined);
    }
}
//# sourceMappingURL=steady-load.js.map
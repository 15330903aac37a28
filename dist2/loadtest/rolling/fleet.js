import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startGatewayProcess } from '../../testkit/gateway-process.js';
import { waitFor } from '../../testkit/wait-for.js';
import { gatewayEnvFor } from '../common/resources.js';
import { exitText, Instance } from './instance.js';
/**
 * The two gateway instances, both roles, each in a slot with a fixed port
 * so that a replacement takes its predecessor's place behind the client.
 * Labels say slot and generation: 1a, then 1b for its replacement.
 */
export class Fleet {
    run;
    env;
    ports;
    live = [undefined, undefined];
    states = ['starting', 'starting'];
    labels = ['1a', '2a'];
    files = {};
    generations = [0, 0];
    constructor(run, env, ports) {
        this.run = run;
        this.env = env;
        this.ports = ports;
    }
    static async create(run, options, databaseUrl) {
        const env = {
            ...gatewayEnvFor(run.names, options, databaseUrl),
            ADGATE_ROLES: 'ingress,sink',
            ADGATE_DRAIN_TIMEOUT_MS: String(options.drainTimeoutMs),
            ...options.gatewayEnv,
        };
        return new Fleet(run, env, [await freePort(), await freePort()]);
    }
    get urls() {
        return this.ports.map((p) => `http://127.0.0.1:${p}`);
    }
    /** Starts the slot's next generation on the slot's port. */
    async launch(slot) {
        const generation = this.generations[slot] ?? 0;
        this.generations[slot] = generation + 1;
        const label = `${slot + 1}${String.fromCharCode(97 + generation)}`;
        this.labels[slot] = label;
        this.states[slot] = 'starting';
        const gateway = await startGatewayProcess({ ...this.env, ADGATE_KAFKA_CLIENT_ID: `${this.run.names.base}-${label}` }, { port: this.ports[slot] });
        const instance = new Instance(label, gateway);
        this.live[slot] = instance;
        this.states[slot] = 'joining';
        return instance;
    }
    /** Both first instances, up once together they own every partition. */
    async launchBoth(partitions) {
        this.run.say(`gateways: starting 1a and 2a on ports ${this.ports.join(' and ')}`);
        await Promise.all([this.launch(0), this.launch(1)]);
        await waitFor('both instances to own partitions', () => {
            const shares = this.live.map((i) => i?.lastAssignment() ?? []);
            const owned = new Set(shares.flat());
            return shares.every((s) => s.length > 0) && owned.size === partitions;
        }, 90_000, 100);
        this.states[0] = 'up';
        this.states[1] = 'up';
        const owns = this.live.map((i) => `${i?.label} owns [${i?.lastAssignment()?.join(',')}]`);
        this.run.say(`gateways: ${owns.join(', ')}`);
    }
    /** Keeps what an instance printed in gateway-<label>.log. */
    async saveLog(instance) {
        const file = join(this.run.outDir, `gateway-${instance.label}.log`);
        this.files[`gateway-${instance.label}`] = file;
        await writeFile(file, instance.process.output());
    }
    /** The final SIGTERM to both, once the load is over: each drain's time and steps. */
    async stopAll(drainTimeoutMs) {
        this.run.say('gateways: SIGTERM to both (final stop)');
        return Promise.all(this.live.map(async (instance) => {
            if (instance === undefined)
                return { instance: '?', exit: '?', drainSeconds: 0, drainSteps: [] };
            const stopAt = Date.now();
            const exit = await instance.process
                .stop('SIGTERM', drainTimeoutMs + 15_000)
                .catch(() => ({ code: null, signal: 'SIGKILL' }));
            const drainSeconds = (Date.now() - stopAt) / 1000;
            await this.saveLog(instance);
            const drainSteps = instance.drainSteps();
            return { instance: instance.label, exit: exitText(exit), drainSeconds, drainSteps };
        }));
    }
    /** When a run ends early: every instance still running gets SIGTERM, its log kept. */
    async close() {
        for (const instance of this.live) {
            if (instance === undefined || instance.exited)
                continue;
            await instance.process.stop('SIGTERM', 30_000).catch(() => undefined);
            await this.saveLog(instance).catch(() => undefined);
        }
    }
}
//# sourceMappingURL=fleet.js.map
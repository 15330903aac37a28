import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import type { BenchRun } from '../common/bench-run.js';
import { gatewayEnvFor } from '../common/resources.js';
import { LagSampler } from '../measure/measure-lag.js';
import { SinkSampler } from '../measure/measure-metrics.js';
import { ProcessSampler, ServiceSampler } from '../measure/measure-process.js';
import type { BenchOptions } from './bench-options.js';
import { Progress } from './progress.js';

/** Where a bench run writes its files. */
export interface BenchFiles {
  readonly json: string;
  readonly html: string;
  readonly gatewayLog: string;
  readonly profile?: string;
}

/** `adgate serve` in a child process, and everything that samples it while it runs. */
export interface GatewayUnderTest {
  readonly gateway: GatewayProcess;
  /** Epoch ms when it was ready: the zero of the report's time axis. */
  readonly startedAt: number;
  readonly proc: ProcessSampler;
  readonly services: ServiceSampler;
  readonly lag: LagSampler;
  readonly sink: SinkSampler;
  readonly progress: Progress;
}

/** Starts the gateway on the run's resources (the process the integration tests use) and its samplers. */
export async function startGatewayUnderTest(
  run: BenchRun,
  options: BenchOptions,
  databaseUrl: string,
  files: BenchFiles,
  /** Environment of this mode (the backlog's ADGATE_ROLES=sink); --gateway-env still wins. */
  modeEnv: Record<string, string> = {},
): Promise<GatewayUnderTest> {
  run.say(
    `gateway: starting adgate serve${
      Object.keys(modeEnv).length > 0
        ? ` (${Object.entries(modeEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')})`
        : ''
    }`,
  );
  const gateway = await startGatewayProcess({
    ...gatewayEnvFor(run.names, options, databaseUrl),
    ADGATE_DEDUP_REDIS_BUCKETS: String(options.dedupBuckets),
    ...profileEnv(files.profile),
    ...modeEnv,
    ...options.gatewayEnv,
  });
  const startedAt = Date.now();
  const pid = gateway.child.pid;
  if (pid === undefined) {
    await gateway.stop('SIGKILL').catch(() => undefined);
    throw new Error('the gateway process has no pid');
  }
  const every = options.sampleEveryMs;
  const proc = new ProcessSampler(pid, every);
  const services = new ServiceSampler(every);
  const lag = new LagSampler(run.admin, run.names.topic, run.names.group, every);
  const sink = new SinkSampler(gateway.url, every);
  const progress = new Progress(lag, sink, proc, options.progressEvery * 1000, run.say);
  for (const sampler of [proc, services, lag, sink, progress]) sampler.start();
  return { gateway, startedAt, proc, services, lag, sink, progress };
}

/**
 * --profile: a preload that writes the gateway's CPU profile at exit
 * (through NODE_OPTIONS=--import, since --cpu-prof is not allowed there).
 */
function profileEnv(profileFile: string | undefined): Record<string, string> {
  if (profileFile === undefined) return {};
  const hook = pathToFileURL(join(import.meta.dirname, 'profile-hook.js')).href;
  return { NODE_OPTIONS: `--import=${hook}`, BENCH_PROFILE_FILE: profileFile };
}

/** SIGTERM, which must drain the gateway and exit 0 (SPEC §7); its log kept. */
export async function drainGateway(
  gut: GatewayUnderTest,
  options: BenchOptions,
  files: BenchFiles,
): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; stopSeconds: number }> {
  gut.sink.stop();
  const started = performance.now();
  const exit = await gut.gateway
    .stop('SIGTERM', options.drainTimeout * 1000 + 30_000)
    .catch(() => ({ code: null, signal: null }));
  const stopSeconds = (performance.now() - started) / 1000;
  gut.lag.stop();
  gut.proc.stop();
  await writeFile(files.gatewayLog, gut.gateway.output());
  return { exit, stopSeconds };
}

/** Stops every sampler and, when a run ends early, the gateway (its log kept). */
export async function closeGatewayUnderTest(
  gut: GatewayUnderTest | undefined,
  files: BenchFiles,
): Promise<void> {
  if (gut === undefined) return;
  for (const sampler of [gut.progress, gut.lag, gut.sink, gut.proc, gut.services]) sampler.stop();
  const child = gut.gateway.child;
  if (child.exitCode === null && child.signalCode === null) {
    await gut.gateway.stop('SIGTERM', 30_000).catch(() => undefined);
    await writeFile(files.gatewayLog, gut.gateway.output()).catch(() => undefined);
  }
}

import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/load-config.js';
import { startMetricsPort } from '../ingress-http/start-metrics-port.js';
import { handleSignals } from '../lifecycle/handle-signals.js';
import { Lifecycle, type LifecycleState } from '../lifecycle/lifecycle-state.js';
import { reportLifecycle } from '../lifecycle/report-lifecycle.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import { type WorkerSpec, workerName } from './plan-workers.js';
import { renderInstanceMetrics } from './render-instance-metrics.js';
import { workerExecArgv } from './worker-exec-argv.js';
import { isMessage, type ToSupervisor, type ToWorker } from './worker-messages.js';

/** Past the workers' own drain deadline, how long the supervisor waits before it kills them. */
const KILL_GRACE_MS = 5_000;

export interface Member {
  readonly spec: WorkerSpec;
  readonly name: string;
  readonly worker: Worker;
  state: LifecycleState;
  port?: number | undefined;
  exit?: { code: number | null; signal: string | null };
}

/**
 * The supervisor of an instance's worker processes (node:cluster). It holds
 * the instance's one lifecycle: ready once every worker is; on SIGTERM or
 * SIGINT (or POST /admin/drain at any HTTP worker) every worker drains in
 * the order of SPEC §7, and the process exits 0 only when all of them did;
 * a worker that fails or dies takes the instance to `failed` (the others
 * fail with it, drain what they can, and the process exits 1). It serves
 * the instance's one /metrics: its own and every worker's, merged (through
 * the HTTP workers, and on ADGATE_METRICS_PORT, which it holds open until
 * it exits).
 */
export function superviseWorkers(config: Config, specs: readonly WorkerSpec[], log: Logger): void {
  const metrics = createMetrics();
  const lifecycle = new Lifecycle();
  reportLifecycle(lifecycle, metrics, log, config.ADGATE_DRAIN_TIMEOUT_MS);
  const members: Member[] = [];
  const instance: Instance = {
    config,
    log,
    metrics,
    lifecycle,
    specs,
    members,
    deadline: undefined,
  };
  const drain = () => beginDrain(instance);
  handleSignals(log, { drain, force: () => killAll(members) });
  setSchedulingPolicy(specs);
  const join = (spec: WorkerSpec) => {
    const member = fork(spec);
    members.push(member);
    member.worker.on('message', (message: unknown) => {
      if (isMessage<ToSupervisor>(message)) onMessage(instance, member, message, drain);
    });
    member.worker.on('exit', (code, signal) => {
      member.exit = { code, signal };
      onExit(instance, member);
    });
  };
  // The first worker creates the topics and the day partitions; the others
  // start once it is ready, so that no two race to (kafkajs logs the loser's
  // refusal at error level, and PostgreSQL refuses a duplicate partition).
  instance.startOthers = () => {
    instance.startOthers = undefined;
    for (const spec of specs.slice(1)) join(spec);
    log.info('workers started', { workers: members.map((m) => m.name) });
  };
  // The metrics port before the workers: a port that cannot be taken stops
  // the start before any of them runs.
  const renderMetrics = () => renderInstanceMetrics(metrics, members);
  startMetricsPort(config, { lifecycle, metrics, renderMetrics })
    .then((port) => {
      if (port !== undefined) log.info('metrics port open', { port });
      if (specs[0] !== undefined) join(specs[0]);
    })
    .catch((error: unknown) => {
      log.error('adgate failed to start', { error });
      process.exit(1);
    });
}

type Instance = {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly specs: readonly WorkerSpec[];
  readonly members: readonly Member[];
  deadline: NodeJS.Timeout | undefined;
  /** Set until the first worker is ready. */
  startOthers?: (() => void) | undefined;
};

function setSchedulingPolicy(specs: readonly WorkerSpec[]): void {
  const listeners = specs.filter((s) => s.listens).length;
  // One HTTP worker accepts its own connections; several take turns,
  // handed out by the supervisor, which the kernel would balance unevenly.
  cluster.schedulingPolicy = listeners > 1 ? cluster.SCHED_RR : cluster.SCHED_NONE;
}

function fork(spec: WorkerSpec): Member {
  cluster.setupPrimary({
    // NODE_OPTIONS is Node's, not adgate's configuration: read only to leave the operator's flags be.
    execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS),
    args: ['serve', '--worker', spec.kind, '--worker-index', String(spec.index)],
  });
  return { spec, name: workerName(spec), worker: cluster.fork(), state: 'starting' };
}

function onMessage(instance: Instance, member: Member, message: ToSupervisor, drain: () => void) {
  if (message.type === 'adgate:state') {
    member.state = message.state;
    member.port ??= message.port;
    onWorkerState(instance, member);
  } else if (message.type === 'adgate:drain-request') {
    instance.log.info('drain requested by a worker', { worker: member.name });
    drain();
  } else if (message.type === 'adgate:metrics-request') {
    void renderInstanceMetrics(instance.metrics, instance.members).then((text) =>
      send(member, { type: 'adgate:metrics', id: message.id, text }),
    );
  }
}

function onWorkerState(instance: Instance, member: Member): void {
  const { lifecycle, members, log } = instance;
  if (member.state === 'failed') {
    // The worker counted and logged its own failure; the instance fails with it.
    failInstance(instance, `worker ${member.name} failed`);
    return;
  }
  if (lifecycle.state === 'starting' && member.state === 'ready') instance.startOthers?.();
  const all = members.length === instance.specs.length;
  if (lifecycle.state === 'starting' && all && members.every((m) => m.state === 'ready')) {
    lifecycle.moveTo('ready');
    const port = members.find((m) => m.port !== undefined)?.port;
    log.info('adgate ready', { port, workers: members.map((m) => m.name) });
  }
}

function onExit(instance: Instance, member: Member): void {
  const { lifecycle, members, metrics, log } = instance;
  const { code, signal } = member.exit ?? {};
  // While the instance drains, an exit is expected: a non-zero one makes
  // the instance's exit non-zero (finish), it does not fail it anew.
  if (lifecycle.state === 'starting' || lifecycle.state === 'ready') {
    // It died on its own (a crash, SIGKILL, the OOM killer): counted here,
    // where it is known; the worker could not.
    const reason = 'worker_exited';
    metrics.failures.add(1, { reason });
    log.error('a worker exited', { reason, worker: member.name, code, signal });
    failInstance(instance, `worker ${member.name} exited (code ${code}, signal ${signal})`);
  }
  if (members.every((m) => m.exit !== undefined)) finish(instance);
}

function failInstance(instance: Instance, why: string): void {
  const { lifecycle, members, log } = instance;
  if (lifecycle.failed) return;
  lifecycle.moveTo('failed');
  log.error('adgate failed: draining every worker, then exiting non-zero', { cause: why });
  for (const m of members) send(m, { type: 'adgate:fail', message: why });
  startDeadline(instance);
}

function beginDrain(instance: Instance): void {
  const { lifecycle, members } = instance;
  if (!lifecycle.moveTo('draining')) return;
  for (const m of members) send(m, { type: 'adgate:drain' });
  startDeadline(instance);
}

/** Each worker keeps its own drain deadline; this one catches a worker that cannot. */
function startDeadline(instance: Instance): void {
  const { config, log, members } = instance;
  instance.deadline ??= setTimeout(() => {
    log.error('workers did not exit in time; killing them', { reason: 'drain_timeout' });
    killAll(members);
    process.exit(1);
  }, config.ADGATE_DRAIN_TIMEOUT_MS + KILL_GRACE_MS);
}

function finish({ lifecycle, members, log, metrics, deadline }: Instance): void {
  if (deadline !== undefined) clearTimeout(deadline);
  const clean = members.every((m) => m.exit?.code === 0);
  if (!(clean && lifecycle.moveTo('stopped'))) lifecycle.moveTo('failed');
  const ok = lifecycle.state === 'stopped';
  log.info('drain finished', { ok, state: lifecycle.state, workers: exitsOf(members) });
  void metrics.shutdown().finally(() => process.exit(ok ? 0 : 1));
}

function exitsOf(members: readonly Member[]) {
  return Object.fromEntries(members.map((m) => [m.name, m.exit]));
}

function send(member: Member, message: ToWorker): void {
  if (member.exit === undefined && member.worker.isConnected()) {
    // A worker may close its channel between the check and the write (it
    // is exiting): without a callback the EPIPE would be an 'error' event
    // that kills the supervisor. Its exit is handled where it is observed.
    member.worker.send(message, () => undefined);
  }
}

function killAll(members: readonly Member[]): void {
  for (const m of members) if (m.exit === undefined) m.worker.process.kill('SIGKILL');
}

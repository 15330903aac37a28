import { availableParallelism } from 'node:os';
import { AdgateError } from '../errors/adgate-error.js';

export type Role = 'ingress' | 'sink' | 'dlq';
/** An ingress worker serves HTTP (with or without POST /v1/events); a sink worker consumes. */
export type WorkerKind = 'ingress' | 'sink';

export interface WorkerSpec {
  readonly kind: WorkerKind;
  readonly index: number;
  /** How many workers of its kind the instance runs. */
  readonly of: number;
  /** The roles this process runs (its ADGATE_ROLES). */
  readonly roles: readonly Role[];
}

/** One process doing everything it has, or a supervisor and its workers. */
export type WorkerPlan =
  | { readonly mode: 'single'; readonly roles: readonly Role[] }
  | { readonly mode: 'workers'; readonly workers: readonly WorkerSpec[] };

export interface WorkerCounts {
  readonly roles: readonly Role[];
  /** ADGATE_INGRESS_WORKERS, unset for the default. */
  readonly ingressWorkers?: number | undefined;
  /** ADGATE_SINK_WORKERS, unset for the default. */
  readonly sinkWorkers?: number | undefined;
}

/**
 * Which processes `adgate serve` runs. The defaults split the cores between
 * the two loops, so that the sink's flushes and kafkajs's encoding never
 * hold up an HTTP answer, and give a role that runs alone every core. There is always one HTTP listener, for the probes,
 * /metrics, billing and admin, even with no ingress (as ADGATE_ROLES=sink
 * had). The DLQ consumer rides with the sink workers, or with the HTTP
 * worker when there are none. An instance that needs one process runs in
 * one, without a supervisor.
 */
export function planWorkers(counts: WorkerCounts, cores = availableParallelism()): WorkerPlan {
  const has = (role: Role) => counts.roles.includes(role);
  // Half the cores each when both loops run; all of them for a role alone
  // (a sink catching up a backlog, an ingress-only fleet).
  const share = (role: Role, other: Role, half: number) =>
    has(role) ? (has(other) ? Math.max(1, half) : cores) : 0;
  const ingress = has('ingress')
    ? (counts.ingressWorkers ?? share('ingress', 'sink', Math.floor(cores / 2)))
    : 0;
  const sink = has('sink')
    ? (counts.sinkWorkers ?? share('sink', 'ingress', Math.ceil(cores / 2)))
    : 0;
  const dlq: Role[] = has('dlq') ? ['dlq'] : [];
  if (ingress === 0 && sink === 0 && dlq.length === 0) {
    throw new AdgateError('config_invalid', 'no role left to run: every worker count is 0', {
      retriable: false,
    });
  }
  const ingressRoles: Role[] = ingress > 0 ? ['ingress'] : [];
  const sinkRoles: Role[] = ['sink', ...dlq];
  const httpRoles = sink > 0 ? ingressRoles : [...ingressRoles, ...dlq];
  const http = Math.max(1, ingress);
  if (sink === 0 && http === 1) return { mode: 'single', roles: httpRoles };
  if (ingress === 0 && sink === 1) return { mode: 'single', roles: sinkRoles };
  return {
    mode: 'workers',
    workers: [
      ...times(http, (index) => ({ kind: 'ingress' as const, index, of: http, roles: httpRoles })),
      ...times(sink, (index) => ({ kind: 'sink' as const, index, of: sink, roles: sinkRoles })),
    ],
  };
}

function times<T>(n: number, make: (index: number) => T): T[] {
  return Array.from({ length: n }, (_, index) => make(index));
}

/** The worker's name in logs and in the `worker` label of /metrics. */
export function workerName(spec: Pick<WorkerSpec, 'kind' | 'index'>): string {
  return `${spec.kind}-${spec.index}`;
}

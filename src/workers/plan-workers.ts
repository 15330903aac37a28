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
  /** Whether it serves HTTP: every ingress worker, or the first sink worker of an instance without. */
  readonly listens: boolean;
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
  /** ADGATE_SINGLE_PROCESS. */
  readonly singleProcess?: boolean | undefined;
}

/**
 * Which processes `adgate serve` runs. The defaults split the cores between
 * the two loops, so that the sink's flushes and kafkajs's encoding never
 * hold up an HTTP answer.
 * There is always an HTTP listener, for the probes, /metrics, billing and
 * admin, even with no ingress (as ADGATE_ROLES=sink had): then the first
 * sink worker's. The DLQ consumer rides with the sink workers, or with the
 * HTTP workers when there are none. An instance that needs one process
 * runs in one, without a supervisor.
 */
export function planWorkers(counts: WorkerCounts, cores = availableParallelism()): WorkerPlan {
  const has = (role: Role) => counts.roles.includes(role);
  // Half the cores each, a role alone too: on two cores with PostgreSQL
  // beside it, a second sink worker drained a backlog no faster and took
  // twice the memory (loadtest/README.md); give it more where the servers
  // run elsewhere.
  // One process runs one of each.
  const one = counts.singleProcess === true;
  const ingress = has('ingress')
    ? (counts.ingressWorkers ?? (one ? 1 : Math.max(1, Math.floor(cores / 2))))
    : 0;
  const sink = has('sink')
    ? (counts.sinkWorkers ?? (one ? 1 : Math.max(1, Math.ceil(cores / 2))))
    : 0;
  const dlq: Role[] = has('dlq') ? ['dlq'] : [];
  if (ingress === 0 && sink === 0 && dlq.length === 0) {
    throw new AdgateError('config_invalid', 'no role left to run: every worker count is 0', {
      retriable: false,
    });
  }
  if (one) return singleProcess(ingress, sink, dlq);
  return layOut(ingress, sink, dlq);
}

/** ADGATE_SINGLE_PROCESS: every role on one event loop, the least memory. */
function singleProcess(ingress: number, sink: number, dlq: Role[]): WorkerPlan {
  if (ingress > 1 || sink > 1) {
    throw new AdgateError(
      'config_invalid',
      'ADGATE_SINGLE_PROCESS=true runs one process: ADGATE_INGRESS_WORKERS and ADGATE_SINK_WORKERS can be at most 1',
      { retriable: false },
    );
  }
  const roles: Role[] = [
    ...(ingress > 0 ? ['ingress' as const] : []),
    ...(sink > 0 ? ['sink' as const] : []),
    ...dlq,
  ];
  return { mode: 'single', roles };
}

/** The processes for these counts (at least one of them above 0, or a DLQ consumer). */
function layOut(ingress: number, sink: number, dlq: Role[]): WorkerPlan {
  const sinkRoles: Role[] = ['sink', ...dlq];
  if (sink === 0) {
    const roles: Role[] = ingress > 0 ? ['ingress', ...dlq] : dlq;
    if (ingress <= 1) return { mode: 'single', roles };
    return { mode: 'workers', workers: times(ingress, 'ingress', () => true, roles) };
  }
  if (ingress === 0) {
    if (sink === 1) return { mode: 'single', roles: sinkRoles };
    // No HTTP worker of its own: the first sink worker serves the probes,
    // /metrics, billing and admin.
    return { mode: 'workers', workers: times(sink, 'sink', (i) => i === 0, sinkRoles) };
  }
  return {
    mode: 'workers',
    workers: [
      ...times(ingress, 'ingress', () => true, ['ingress']),
      ...times(sink, 'sink', () => false, sinkRoles),
    ],
  };
}

function times(
  n: number,
  kind: WorkerKind,
  listens: (index: number) => boolean,
  roles: readonly Role[],
): WorkerSpec[] {
  return Array.from({ length: n }, (_, index) => ({
    kind,
    index,
    of: n,
    listens: listens(index),
    roles,
  }));
}

/** The worker's name in logs and in the `worker` label of /metrics. */
export function workerName(spec: Pick<WorkerSpec, 'kind' | 'index'>): string {
  return `${spec.kind}-${spec.index}`;
}

import type { LifecycleState } from '../lifecycle/lifecycle-state.js';

/**
 * What a worker and its supervisor say to each other over the IPC channel
 * of node:cluster. Each message is a plain object with a `type`; anything
 * else on the channel (node's own cluster messages) is not ours.
 */
export type ToSupervisor =
  /** Each move of the worker's lifecycle; `port` once it listens. */
  | { readonly type: 'adgate:state'; readonly state: LifecycleState; readonly port?: number }
  /** POST /admin/drain reached this worker: the whole instance drains. */
  | { readonly type: 'adgate:drain-request' }
  /** GET /metrics reached this worker: the instance's exposition, please. */
  | { readonly type: 'adgate:metrics-request'; readonly id: number }
  /** The answer to a render request: this worker's own exposition. */
  | { readonly type: 'adgate:rendered'; readonly id: number; readonly text: string };

export type ToWorker =
  /** Drain as for SIGTERM (SPEC §7). */
  | { readonly type: 'adgate:drain' }
  /** Another process of the instance failed: this one fails with it. */
  | { readonly type: 'adgate:fail'; readonly message: string }
  /** Render this worker's own exposition. */
  | { readonly type: 'adgate:render'; readonly id: number }
  /** The instance's merged exposition, for a metrics request. */
  | { readonly type: 'adgate:metrics'; readonly id: number; readonly text?: string };

export function isMessage<T extends { type: string }>(value: unknown): value is T {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    (value as { type: string }).type.startsWith('adgate:')
  );
}

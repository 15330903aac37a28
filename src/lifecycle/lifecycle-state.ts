export const LIFECYCLE_STATES = ['starting', 'ready', 'draining', 'stopped', 'failed'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/**
 * The one lifecycle state of a process (starting → ready → draining →
 * stopped, or failed). /readyz and the adgate_lifecycle_state metric read
 * it; only the gateway's start and drain code moves it.
 */
export class Lifecycle {
  private current: LifecycleState = 'starting';
  private readonly listeners: ((state: LifecycleState) => void)[] = [];

  get state(): LifecycleState {
    return this.current;
  }

  /** True while new work may be taken: requests get a 503 otherwise. */
  get acceptingWork(): boolean {
    return this.current === 'ready';
  }

  moveTo(state: LifecycleState): void {
    if (this.current === state) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }

  onChange(listener: (state: LifecycleState) => void): void {
    this.listeners.push(listener);
    listener(this.current);
  }
}

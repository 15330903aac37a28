import type { Check } from '../../testkit/verify-outcome.js';
import type { Latency, Target } from '../bench/bench-result.js';
import type { MachineFacts } from '../common/bench-run.js';
import type { Span } from '../report/line-chart.js';
import type { RestartPhase } from './rolling-options.js';

/** The shape of a rolling-restart run's result.json. */

export interface DrainStepTime {
  readonly step: string;
  readonly ms: number;
}

/** A partition assignment an instance logged ('partitions assigned'), in seconds from the signal. */
export interface AssignmentSeen {
  readonly at: number;
  readonly instance: string;
  readonly partitions: readonly number[];
}

/** One restart of one instance: the old process's exit, the replacement's start, the lag. */
export interface RestartFigures {
  readonly phase: RestartPhase;
  /** The old process ('1a') and its replacement ('1b'). */
  readonly instance: string;
  readonly replacement: string;
  readonly signal: 'SIGTERM' | 'SIGKILL';
  /** Seconds on the run's time axis (since the load began). */
  readonly at: number;
  /** '0', '1', or the signal that ended the process. */
  readonly exit: string;
  /** Signal → the old process's exit. */
  readonly drainSeconds: number;
  /** From the old process's log: the signal seen, each drain step, 'drain finished' (from the signal). */
  readonly signalSeenSeconds?: number;
  readonly drainSteps: readonly DrainStepTime[];
  readonly drainFinishedSeconds?: number;
  /** Signal → the replacement's 'adgate ready' (its /readyz turns 200). */
  readonly readySeconds?: number;
  /** Signal → the replacement's first non-empty partition assignment. */
  readonly partitionsSeconds?: number;
  readonly lagAtSignal: number;
  readonly maxLag: number;
  readonly maxLagSeconds: number;
  /** When the max lag was sampled, in seconds from the signal. */
  readonly maxLagAfter: number;
  /** Signal → the lag back under the threshold for good (within the window); absent: not recovered. */
  readonly recoverySeconds?: number;
  readonly lagNeverAboveThreshold: boolean;
  /** From the signal to the next restart (or the end of the phase). */
  readonly windowSeconds: number;
  readonly retries503: number;
  readonly retriesRefused: number;
  /** Ack times (ms) of the first requests the replacement acknowledged after its 'adgate ready'. */
  readonly replacementFirstAcksMs: readonly number[];
  readonly assignments: readonly AssignmentSeen[];
  /** Warnings and errors any instance logged in the window, counted by instance, level and message. */
  readonly problems: readonly { readonly line: string; readonly count: number }[];
}

export interface PhaseSummary {
  readonly name: 'warm-up' | RestartPhase;
  readonly label: string;
  /** Seconds on the run's time axis. */
  readonly from: number;
  readonly to: number;
  readonly offeredPerSecond: number;
  readonly maxLag: number;
  readonly maxLagSeconds: number;
  readonly medianLag: number;
  readonly retries503: number;
  readonly retriesRefused: number;
  readonly httpAck: Latency;
  readonly machineBusy: number;
  readonly restarts: readonly RestartFigures[];
}

export interface FinalStop {
  readonly instance: string;
  readonly exit: string;
  readonly drainSeconds: number;
  readonly drainSteps: readonly DrainStepTime[];
}

export interface RollingResult {
  readonly version: 1;
  readonly kind: 'rolling-restart';
  readonly pass: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: Record<string, unknown>;
  readonly machine: MachineFacts & { readonly busyDuringLoad: number };
  readonly gateway: {
    readonly instances: number;
    readonly partitions: number;
    readonly drainTimeoutMs: number;
    readonly sessionTimeoutMs: string;
    readonly batchMaxEvents: string;
    readonly env: Record<string, string>;
  };
  readonly names: Record<string, string>;
  readonly rate: number;
  readonly lagThresholdEvents: number;
  readonly stream: {
    readonly distinct: number;
    readonly byType: Record<string, number>;
    readonly malformed: number;
    readonly messagesInTopic: number;
    readonly requests: number;
    readonly lateSends: number;
    readonly noneInRotation: number;
  };
  readonly phases: readonly PhaseSummary[];
  readonly finalDrain: {
    readonly drained: boolean;
    readonly seconds: number;
    readonly lag: number;
  };
  readonly finalStops: readonly FinalStop[];
  readonly checks: readonly Check[];
  readonly differences: readonly string[];
  readonly targets: readonly Target[];
  /** Seconds since the load began; lag = produced − committed. */
  readonly series: readonly {
    readonly t: number;
    readonly produced: number;
    readonly committed: number;
    readonly lag: number;
  }[];
  readonly retrySeries: readonly {
    readonly t: number;
    readonly instance: number;
    readonly status: number;
  }[];
  /** Every request acknowledged on its first send: when, how long (retries included), by whom. */
  readonly ackSeries: readonly {
    readonly t: number;
    readonly ms: number;
    readonly instance: number;
  }[];
  readonly spans: readonly Span[];
  readonly files: Record<string, string>;
}

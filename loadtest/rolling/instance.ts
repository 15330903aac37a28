import type { GatewayProcess } from '../../testkit/gateway-process.js';
import type { DrainStepTime } from './rolling-result.js';

/** One line of a gateway's JSON log. */
export interface LogEvent {
  /** Epoch milliseconds, from the line's own `time`. */
  readonly t: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** One gateway process: its label ('1a', then '1b' for its replacement), its parsed log. */
export class Instance {
  private readonly parsed: LogEvent[] = [];
  private parsedUpTo = 0;

  constructor(
    readonly label: string,
    readonly process: GatewayProcess,
  ) {}

  /** Every complete log line so far, parsed (lines that are not JSON are skipped). */
  events(): readonly LogEvent[] {
    const output = this.process.output();
    const end = output.lastIndexOf('\n');
    if (end >= this.parsedUpTo) {
      for (const line of output.slice(this.parsedUpTo, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const fields = JSON.parse(line) as Record<string, unknown>;
          const t = Date.parse(String(fields.time));
          if (!Number.isFinite(t)) continue;
          this.parsed.push({ t, level: String(fields.level), msg: String(fields.msg), fields });
        } catch {
          // A line of another shape (a stack trace, say).
        }
      }
      this.parsedUpTo = end + 1;
    }
    return this.parsed;
  }

  first(msg: string): LogEvent | undefined {
    return this.events().find((e) => e.msg === msg);
  }

  assignments(): { t: number; partitions: number[] }[] {
    return this.events()
      .filter((e) => e.msg === 'partitions assigned')
      .map((e) => ({ t: e.t, partitions: (e.fields.partitions as number[] | undefined) ?? [] }));
  }

  /** When it was first given a non-empty share of the partitions. */
  firstPartitionsAt(): number | undefined {
    return this.assignments().find((a) => a.partitions.length > 0)?.t;
  }

  lastAssignment(): number[] | undefined {
    return this.assignments().at(-1)?.partitions;
  }

  drainSteps(): DrainStepTime[] {
    return this.events()
      .filter((e) => e.msg === 'drain step done')
      .map((e) => ({ step: String(e.fields.step), ms: Number(e.fields.ms) }));
  }

  get exited(): boolean {
    return this.process.child.exitCode !== null || this.process.child.signalCode !== null;
  }
}

/** '0', '1', or the signal that ended a process. */
export const exitText = (exit: { code: number | null; signal: NodeJS.Signals | null }): string =>
  exit.code !== null ? String(exit.code) : (exit.signal ?? '?');

/**
 * The sink's progress watchdog (SPEC §7: "no progress while messages wait,
 * past a configured time" is a failure). Per partition it keeps how many
 * messages wait (the batch in hand plus the lag behind it) and when the
 * position last moved; a partition with messages waiting whose position
 * has not moved for `stallMs` is stalled. Pure logic with its own clock, so
 * that the sink's timer is its only tie to real time.
 */
export interface ProgressWatch {
  /** A new assignment: every clock starts again, the partitions lost are forgotten. */
  assigned(partitions: readonly number[]): void;
  /** A batch arrived: `waiting` messages stand between the position and the end. */
  waiting(partition: number, waiting: bigint): void;
  /** The position moved (a write committed); `waiting` are still behind it. */
  progressed(partition: number, waiting: bigint): void;
  /** The partitions stalled now, with how long each has not moved. */
  stalled(): { partition: number; waiting: bigint; idleMs: number }[];
}

interface PartitionProgress {
  waiting: bigint;
  lastMovedAt: number;
}

export function createProgressWatch(stallMs: number, now: () => number = Date.now): ProgressWatch {
  const partitions = new Map<number, PartitionProgress>();
  const entry = (partition: number): PartitionProgress => {
    let found = partitions.get(partition);
    if (found === undefined) {
      // First seen: its clock starts now, not at some earlier owner's commit.
      found = { waiting: 0n, lastMovedAt: now() };
      partitions.set(partition, found);
    }
    return found;
  };
  return {
    assigned(assigned) {
      partitions.clear();
      for (const partition of assigned) entry(partition);
    },
    waiting(partition, waiting) {
      const p = entry(partition);
      // Idle until now: the wait starts with this batch, not at the last move.
      if (p.waiting === 0n) p.lastMovedAt = now();
      p.waiting = waiting;
    },
    progressed(partition, waiting) {
      const p = entry(partition);
      p.waiting = waiting;
      p.lastMovedAt = now();
    },
    stalled() {
      const at = now();
      const out: { partition: number; waiting: bigint; idleMs: number }[] = [];
      for (const [partition, p] of partitions) {
        const idleMs = at - p.lastMovedAt;
        if (p.waiting > 0n && idleMs >= stallMs)
          out.push({ partition, waiting: p.waiting, idleMs });
      }
      return out;
    },
  };
}

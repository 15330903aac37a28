export function createProgressWatch(stallMs, now = Date.now) {
    const partitions = new Map();
    const entry = (partition) => {
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
            for (const partition of assigned)
                entry(partition);
        },
        waiting(partition, waiting) {
            const p = entry(partition);
            // Idle until now: the wait starts with this batch, not at the last move.
            if (p.waiting === 0n)
                p.lastMovedAt = now();
            p.waiting = waiting;
        },
        progressed(partition, waiting) {
            const p = entry(partition);
            p.waiting = waiting;
            p.lastMovedAt = now();
        },
        stalled() {
            const at = now();
            const out = [];
            for (const [partition, p] of partitions) {
                const idleMs = at - p.lastMovedAt;
                if (p.waiting > 0n && idleMs >= stallMs)
                    out.push({ partition, waiting: p.waiting, idleMs });
            }
            return out;
        },
    };
}
//# sourceMappingURL=watch-progress.js.map
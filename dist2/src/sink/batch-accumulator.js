export class BatchAccumulator {
    settings;
    pending = [];
    pendingCount = 0;
    timer;
    activeHandlers = 0;
    flushing = 0;
    /** Submissions inside flushes that have not finished yet. */
    inFlight = 0;
    overdue = false;
    checkScheduled = false;
    idleWaiters = [];
    constructor(settings) {
        this.settings = settings;
    }
    /** Wraps one handler's lifetime so that the accumulator knows who may still submit. */
    async track(handler) {
        this.activeHandlers += 1;
        try {
            return await handler();
        }
        finally {
            this.activeHandlers -= 1;
            this.scheduleCheck();
        }
    }
    /** Resolves once the items are durably flushed; rejects if the flush failed. */
    submit(items) {
        if (items.length === 0)
            return Promise.resolve();
        return new Promise((resolve, reject) => {
            this.pending.push({ items, resolve, reject });
            this.pendingCount += items.length;
            this.timer ??= setTimeout(() => {
                this.timer = undefined;
                this.overdue = true;
                this.scheduleCheck();
            }, this.settings.maxAgeMs);
            this.scheduleCheck();
        });
    }
    /** Resolves when nothing is pending or being flushed. */
    idle() {
        if (this.pending.length === 0 && this.flushing === 0)
            return Promise.resolve();
        return new Promise((resolve) => this.idleWaiters.push(resolve));
    }
    // Checked on the next turn of the event loop rather than at once, so
    // that handlers that kafkajs starts together submit before we decide.
    scheduleCheck() {
        if (this.checkScheduled)
            return;
        this.checkScheduled = true;
        setImmediate(() => {
            this.checkScheduled = false;
            this.maybeFlush();
        });
    }
    maybeFlush() {
        if (this.pending.length === 0) {
            if (this.flushing === 0)
                for (const wake of this.idleWaiters.splice(0))
                    wake();
            return;
        }
        if (this.flushing >= this.settings.maxConcurrentFlushes)
            return;
        const everyoneWaiting = this.pending.length + this.inFlight >= this.activeHandlers;
        if (!this.overdue && !everyoneWaiting && this.pendingCount < this.settings.maxEvents)
            return;
        this.startFlush();
    }
    startFlush() {
        const taken = [];
        let count = 0;
        while (this.pending.length > 0) {
            const next = this.pending[0];
            if (taken.length > 0 && count + next.items.length > this.settings.maxEvents)
                break;
            taken.push(next);
            count += next.items.length;
            this.pending.shift();
        }
        this.pendingCount -= count;
        if (this.pending.length === 0) {
            clearTimeout(this.timer);
            this.timer = undefined;
            this.overdue = false;
        }
        this.flushing += 1;
        this.inFlight += taken.length;
        const items = taken.flatMap((p) => p.items);
        this.settings
            .flush(items)
            .then(() => {
            for (const p of taken)
                p.resolve();
        }, (error) => {
            for (const p of taken)
                p.reject(error);
        })
            .finally(() => {
            this.flushing -= 1;
            this.inFlight -= taken.length;
            this.scheduleCheck();
        });
    }
}
//# sourceMappingURL=batch-accumulator.js.map
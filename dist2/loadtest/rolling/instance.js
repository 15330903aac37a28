/** One gateway process: its label ('1a', then '1b' for its replacement), its parsed log. */
export class Instance {
    label;
    process;
    parsed = [];
    parsedUpTo = 0;
    constructor(label, process) {
        this.label = label;
        this.process = process;
    }
    /** Every complete log line so far, parsed (lines that are not JSON are skipped). */
    events() {
        const output = this.process.output();
        const end = output.lastIndexOf('\n');
        if (end >= this.parsedUpTo) {
            for (const line of output.slice(this.parsedUpTo, end).split('\n')) {
                if (!line.startsWith('{'))
                    continue;
                try {
                    const fields = JSON.parse(line);
                    const t = Date.parse(String(fields.time));
                    if (!Number.isFinite(t))
                        continue;
                    this.parsed.push({ t, level: String(fields.level), msg: String(fields.msg), fields });
                }
                catch {
                    // A line of another shape (a stack trace, say).
                }
            }
            this.parsedUpTo = end + 1;
        }
        return this.parsed;
    }
    first(msg) {
        return this.events().find((e) => e.msg === msg);
    }
    assignments() {
        return this.events()
            .filter((e) => e.msg === 'partitions assigned')
            .map((e) => ({ t: e.t, partitions: e.fields.partitions ?? [] }));
    }
    /** When it was first given a non-empty share of the partitions. */
    firstPartitionsAt() {
        return this.assignments().find((a) => a.partitions.length > 0)?.t;
    }
    lastAssignment() {
        return this.assignments().at(-1)?.partitions;
    }
    drainSteps() {
        return this.events()
            .filter((e) => e.msg === 'drain step done')
            .map((e) => ({ step: String(e.fields.step), ms: Number(e.fields.ms) }));
    }
    get exited() {
        return this.process.child.exitCode !== null || this.process.child.signalCode !== null;
    }
}
/** '0', '1', or the signal that ended a process. */
export const exitText = (exit) => exit.code !== null ? String(exit.code) : (exit.signal ?? '?');
//# sourceMappingURL=instance.js.map
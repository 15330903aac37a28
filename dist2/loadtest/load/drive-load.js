import { emptyHttpStats } from './http-load.js';
import { emptyKafkaStats } from './kafka-load.js';
/**
 * Drives the router's units into HTTP and Kafka for one phase: open loop
 * at a target rate (each unit leaves at its scheduled time, whatever is
 * still in flight, up to a bound), or closed loop at the max rate (a unit
 * leaves as soon as a slot is free). The phase ends at the first chunk
 * boundary after its duration, so that what was sent is exactly what the
 * expected totals hold.
 */
export async function driveLoad(router, http, kafka, settings, onStart = () => undefined) {
    const phase = {
        name: settings.name,
        rate: settings.rate,
        startedAtMs: Date.now(),
        endedAtMs: undefined,
        items: 0,
        malformedHttp: 0,
        malformedKafka: 0,
        pausedMs: 0,
        lateSends: 0,
        maxLateMs: 0,
        http: emptyHttpStats(),
        kafka: emptyKafkaStats(),
    };
    onStart(phase);
    const open = settings.rate !== 'max';
    // Open loop lets requests queue in the client (their wait counts in the
    // ack latency) but not without bound.
    const httpSlots = new Slots(open ? settings.httpSlots * 4 : settings.httpSlots);
    const kafkaSlots = new Slots(open ? settings.kafkaSlots * 2 : settings.kafkaSlots);
    const inFlight = new Set();
    const t0 = performance.now();
    let offered = 0;
    for (;;) {
        const closing = performance.now() - t0 >= settings.durationMs || (settings.until?.() ?? false);
        const unit = router.next(closing);
        if (unit === undefined)
            break;
        if (settings.rate === 'max') {
            if (settings.mayProceed !== undefined && !settings.mayProceed()) {
                const pausedAt = performance.now();
                while (!settings.mayProceed())
                    await sleep(50);
                phase.pausedMs += performance.now() - pausedAt;
            }
        }
        else {
            const due = t0 + (offered / settings.rate) * 1000;
            const wait = due - performance.now();
            if (wait > 1)
                await sleep(wait);
        }
        offered += unit.items;
        const slots = unit.kind === 'http' ? httpSlots : kafkaSlots;
        await slots.take();
        if (settings.rate !== 'max') {
            const late = performance.now() - (t0 + ((offered - unit.items) / settings.rate) * 1000);
            if (late > 100)
                phase.lateSends += 1;
            phase.maxLateMs = Math.max(phase.maxLateMs, late);
        }
        const sending = sendUnit(unit, http, kafka, phase).finally(() => {
            slots.release();
            inFlight.delete(sending);
        });
        inFlight.add(sending);
    }
    await Promise.all(inFlight);
    phase.endedAtMs = Date.now();
    return phase;
}
async function sendUnit(unit, http, kafka, phase) {
    phase.items += unit.items;
    if (unit.kind === 'http') {
        if (http === undefined)
            throw new Error('an HTTP unit without an HTTP client');
        phase.malformedHttp += unit.malformed;
        await http.send(unit.body, phase.http, { first: true });
        if (unit.retry) {
            phase.http.wholeRetries += 1;
            await http.send(unit.body, phase.http, { first: false });
        }
        return;
    }
    if (kafka === undefined)
        throw new Error('a Kafka unit without a Kafka producer');
    phase.malformedKafka += unit.malformed;
    await kafka.send(unit.messages, unit.malformed, phase.kafka);
}
function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}
/** A counting semaphore. */
class Slots {
    size;
    used = 0;
    waiters = [];
    constructor(size) {
        this.size = size;
    }
    take() {
        if (this.used < this.size) {
            this.used += 1;
            return Promise.resolve();
        }
        return new Promise((resolve) => this.waiters.push(resolve));
    }
    release() {
        const next = this.waiters.shift();
        if (next)
            next();
        else
            this.used -= 1;
    }
}
//# sourceMappingURL=drive-load.js.map
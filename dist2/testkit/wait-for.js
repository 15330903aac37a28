/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` with `what`. */
export async function waitFor(what, check, timeoutMs = 30_000, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            const value = await check();
            if (value)
                return value;
        }
        catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
/** Rejects when `promise` has not settled within `ms`: every close in a test is bounded. */
export function within(ms, what, promise) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}
//# sourceMappingURL=wait-for.js.map
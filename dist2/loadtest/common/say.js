/** Console lines stamped with the seconds since the run began: `[  12.3s] message`. */
export function createSay(startedAt = performance.now()) {
    return (message) => {
        const elapsed = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
        console.log(`[${elapsed}s] ${message}`);
    };
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
//# sourceMappingURL=say.js.map
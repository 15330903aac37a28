/** The warnings and errors that gateways logged, tagged #index, for a failure message. */
export function problemsIn(gateways, max = 60) {
    const lines = gateways.flatMap((g, i) => g
        .output()
        .split('\n')
        .filter((l) => /"level":"(warn|error)"/.test(l))
        .map((l) => `#${i} ${l}`));
    return lines.slice(-max).join('\n');
}
/** The partitions a sink was last given, from its 'partitions assigned' log line. */
export function lastAssignment(gateway) {
    let last;
    for (const line of gateway.output().split('\n')) {
        if (!line.includes('"partitions assigned"'))
            continue;
        last = JSON.parse(line).partitions;
    }
    return last;
}
/**
 * When a gateway logged `msg` first, in epoch milliseconds from the line's
 * own `time`: the moment the process acted, which is later than the moment
 * a test sent it a signal.
 */
export function firstLoggedAt(gateway, msg) {
    const needle = `"msg":${JSON.stringify(msg)}`;
    const line = gateway
        .output()
        .split('\n')
        .find((l) => l.includes(needle));
    if (line === undefined)
        return undefined;
    const time = Date.parse(JSON.parse(line).time);
    return Number.isFinite(time) ? time : undefined;
}
//# sourceMappingURL=gateway-logs.js.map
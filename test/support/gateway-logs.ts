import type { GatewayProcess } from '../../testkit/gateway-process.js';

/** The warnings and errors that gateways logged, tagged #index, for a failure message. */
export function problemsIn(gateways: readonly GatewayProcess[], max = 60): string {
  const lines = gateways.flatMap((g, i) =>
    g
      .output()
      .split('\n')
      .filter((l) => /"level":"(warn|error)"/.test(l))
      .map((l) => `#${i} ${l}`),
  );
  return lines.slice(-max).join('\n');
}

/** The partitions a sink was last given, from its 'partitions assigned' log line. */
export function lastAssignment(gateway: GatewayProcess): number[] | undefined {
  return lastAssignmentOf(gateway, undefined);
}

/** The same for one of its worker processes (`sink-0`…); any process when undefined. */
export function lastAssignmentOf(
  gateway: GatewayProcess,
  worker: string | undefined,
): number[] | undefined {
  let last: number[] | undefined;
  for (const line of gateway.output().split('\n')) {
    if (!line.includes('"partitions assigned"')) continue;
    const parsed = JSON.parse(line) as { partitions: number[]; worker?: string };
    if (worker === undefined || parsed.worker === worker) last = parsed.partitions;
  }
  return last;
}

/**
 * When a gateway logged `msg` first (with `fields`, when given: a worker's
 * line, say), in epoch milliseconds from the line's own `time`: the moment
 * the process acted, which is later than the moment a test sent it a signal.
 */
export function firstLoggedAt(
  gateway: GatewayProcess,
  msg: string,
  fields: Record<string, string> = {},
): number | undefined {
  const needle = `"msg":${JSON.stringify(msg)}`;
  for (const line of gateway.output().split('\n')) {
    if (!line.includes(needle)) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (!Object.entries(fields).every(([k, v]) => parsed[k] === v)) continue;
    const time = Date.parse(String(parsed.time));
    return Number.isFinite(time) ? time : undefined;
  }
  return undefined;
}

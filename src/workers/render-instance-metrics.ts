import { type Exposition, mergeExpositions } from '../telemetry/merge-expositions.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Member } from './supervise-workers.js';
import { isMessage, type ToSupervisor } from './worker-messages.js';

/** How long the supervisor waits for one worker's exposition. */
const RENDER_TIMEOUT_MS = 2_000;

let nextId = 0;

/**
 * The instance's /metrics: the supervisor's own (the instance's lifecycle,
 * failures, its runtime) under worker="supervisor", and each live worker's
 * under its name. A worker that does not answer in time is left out of
 * that scrape rather than hold it: its series go missing for one scrape.
 */
export async function renderInstanceMetrics(
  metrics: Metrics,
  members: readonly Member[],
): Promise<string> {
  const live = members.filter((m) => m.exit === undefined && m.worker.isConnected());
  const theirs = await Promise.all(live.map((m) => renderOf(m)));
  // Rendered last: a worker's state messages precede its exposition on the
  // channel, so the instance's state is never older than what they show.
  const own: Exposition = { worker: 'supervisor', text: await metrics.render() };
  return mergeExpositions([own, ...theirs.filter((e): e is Exposition => e !== undefined)]);
}

function renderOf(member: Member): Promise<Exposition | undefined> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isMessage<ToSupervisor>(message)) return;
      if (message.type !== 'adgate:rendered' || message.id !== id) return;
      done({ worker: member.name, text: message.text });
    };
    const timer = setTimeout(() => done(undefined), RENDER_TIMEOUT_MS);
    const done = (exposition: Exposition | undefined) => {
      clearTimeout(timer);
      member.worker.off('message', onMessage);
      resolve(exposition);
    };
    member.worker.on('message', onMessage);
    // A worker that closed its channel since the check (it is exiting) is
    // left out of this scrape: the callback takes the EPIPE, which as an
    // 'error' event would kill the supervisor.
    member.worker.send({ type: 'adgate:render', id }, (error) => {
      if (error) done(undefined);
    });
  });
}

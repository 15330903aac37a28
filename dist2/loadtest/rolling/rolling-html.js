import { htmlPage } from '../report/html-page.js';
import { lineChart, rates } from '../report/line-chart.js';
import { fmtInt } from '../report/report-table.js';
import { renderRollingTable } from './rolling-table.js';
/** Retries per second, by cause, from the retry records. */
function retryLines(r) {
    const end = Math.ceil(Math.max(1, ...r.series.map((s) => s.t)));
    const bins503 = new Array(end + 1).fill(0);
    const binsRefused = new Array(end + 1).fill(0);
    for (const x of r.retrySeries) {
        const i = Math.min(end, Math.max(0, Math.floor(x.t)));
        const bins = x.status === 503 ? bins503 : binsRefused;
        bins[i] = (bins[i] ?? 0) + 1;
    }
    return [
        { label: '503', color: '#ee854a', points: bins503.map((v, i) => [i + 0.5, v]) },
        {
            label: 'refused / reset',
            color: '#d65f5f',
            points: binsRefused.map((v, i) => [i + 0.5, v]),
        },
    ];
}
/** The slowest ack of each second, at the middle of the second. */
function slowestAcks(r) {
    const slowest = new Map();
    for (const a of r.ackSeries) {
        const second = Math.floor(a.t);
        slowest.set(second, Math.max(slowest.get(second) ?? 0, a.ms));
    }
    return [...slowest].sort((a, b) => a[0] - b[0]).map(([s, ms]) => [s + 0.5, ms]);
}
/** Each signal, and each replacement's first partitions, as vertical lines. */
function restartMarks(r) {
    const marks = [];
    for (const x of r.phases.flatMap((p) => p.restarts)) {
        marks.push({
            at: x.at,
            label: `${x.signal} ${x.instance}`,
            color: x.signal === 'SIGTERM' ? '#c47a00' : '#cf222e',
        });
        if (x.partitionsSeconds !== undefined) {
            marks.push({
                at: x.at + x.partitionsSeconds,
                label: `${x.replacement} has partitions`,
                color: '#1a7f37',
                dashed: true,
            });
        }
    }
    return marks;
}
/** A self-contained HTML page: lag over time with the restarts marked, throughput, retries, the table. */
export function renderRollingHtml(r) {
    const marks = restartMarks(r);
    const lag = lineChart('Consumer lag in seconds of traffic: (Σ high watermarks − Σ committed offsets) ÷ offered rate', 'seconds of traffic', [
        {
            label: 'lag',
            color: '#956cb4',
            points: r.series.map((s) => [s.t, s.lag / r.rate]),
        },
    ], r.spans, {
        marks,
        guides: [
            { value: 2, label: 'target ≤ 2 s', color: '#cf222e' },
            {
                value: r.lagThresholdEvents / r.rate,
                label: 'recovered under',
                color: '#888888',
            },
        ],
    });
    const lagEvents = lineChart('Consumer lag in messages', 'messages', [{ label: 'lag', color: '#956cb4', points: r.series.map((s) => [s.t, s.lag]) }], r.spans, { marks });
    const throughput = lineChart('Into the topic and committed by the group (1-s windows)', 'messages/s', [
        {
            label: 'produced (topic end)',
            color: '#4878d0',
            points: rates(r.series.map((s) => [s.t, s.produced]), 1),
        },
        {
            label: 'group offsets committed',
            color: '#d65f5f',
            points: rates(r.series.map((s) => [s.t, s.committed]), 1),
        },
    ], r.spans, { marks });
    const acks = lineChart('HTTP ack time, slowest request of each second (from the first send; retries included)', 'ms', [
        {
            label: 'slowest ack',
            color: '#4878d0',
            points: slowestAcks(r),
        },
    ], r.spans, { marks });
    const retries = lineChart('HTTP attempts sent again, per second, by cause', 'retries/s', retryLines(r), r.spans, { marks });
    return htmlPage({
        title: `adgate rolling restart ${r.startedAt}`,
        heading: `adgate rolling restart at ${fmtInt(r.rate)} events/s`,
        pass: r.pass,
        intro: 'Vertical lines: the signal to an instance (orange SIGTERM, red SIGKILL) and the moment its replacement owned partitions (green, dashed).',
        charts: [lag, lagEvents, throughput, acks, retries],
        table: renderRollingTable(r),
    });
}
//# sourceMappingURL=rolling-html.js.map
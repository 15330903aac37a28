import { htmlPage } from '../report/html-page.js';
import { lineChart, rates } from '../report/line-chart.js';
import type { BenchResult, ProcessPoint } from './bench-result.js';
import { renderTable } from './bench-table.js';

/** A self-contained HTML page: the table, throughput, lag, and the gateway's memory and CPU. */
export function renderBenchHtml(result: BenchResult): string {
  const spans = result.spans;
  const produced = rates(result.series.map((s) => [s.t, s.produced] as const));
  const offsets = rates(result.series.map((s) => [s.t, s.committed] as const));
  const committed = rates(result.sink.map((s) => [s.t, s.handled] as const));
  const throughput = lineChart(
    'Throughput (2-s windows): messages into the topic, through the sink, and offsets committed',
    'messages/s',
    [
      { label: 'produced (topic end)', color: '#4878d0', points: produced },
      { label: 'committed to PostgreSQL', color: '#d65f5f', points: committed },
      { label: 'group offsets', color: '#bbbbbb', points: offsets },
    ],
    spans,
  );
  const lag = lineChart(
    'Consumer lag: high watermark − committed offset, all partitions',
    'messages',
    [{ label: 'lag', color: '#956cb4', points: result.series.map((s) => [s.t, s.lag] as const) }],
    spans,
  );
  const memory = lineChart(
    'Gateway resident memory: Σ VmRSS of its processes, and with the node binary counted once',
    'MB',
    [
      {
        label: 'Σ VmRSS',
        color: '#6acc64',
        points: result.process.map((p) => [p.t, p.rssMb] as const),
      },
      {
        label: 'file pages once',
        color: '#4878d0',
        points: result.process.map((p) => [p.t, p.residentMb] as const),
      },
    ],
    spans,
  );
  const points = (y: (p: ProcessPoint) => number | undefined) =>
    result.process.flatMap((p) => {
      const v = y(p);
      return v === undefined ? [] : [[p.t, v] as const];
    });
  const split = result.process.some((p) => p.roles !== undefined);
  const cpu = lineChart(
    split
      ? 'Gateway CPU: the whole process tree and each role'
      : 'Gateway CPU (one process: no per-role split)',
    'cores',
    [
      { label: 'all processes', color: '#ee854a', points: points((p) => p.cores) },
      ...(split
        ? [
            { label: 'ingress', color: '#4878d0', points: points((p) => p.roles?.ingress) },
            { label: 'sink', color: '#d65f5f', points: points((p) => p.roles?.sink) },
            { label: 'supervisor', color: '#8c8c8c', points: points((p) => p.roles?.supervisor) },
          ]
        : []),
    ],
    spans,
  );
  return htmlPage({
    title: `adgate bench ${result.startedAt}`,
    heading: `adgate bench, ${result.mode} mode`,
    pass: result.pass,
    charts: [throughput, lag, memory, cpu],
    table: renderTable(result),
  });
}

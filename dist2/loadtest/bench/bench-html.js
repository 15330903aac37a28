import { htmlPage } from '../report/html-page.js';
import { lineChart, rates } from '../report/line-chart.js';
import { renderTable } from './bench-table.js';
/** A self-contained HTML page: the table, throughput, lag, and the gateway's memory and CPU. */
export function renderBenchHtml(result) {
    const spans = result.spans;
    const produced = rates(result.series.map((s) => [s.t, s.produced]));
    const offsets = rates(result.series.map((s) => [s.t, s.committed]));
    const committed = rates(result.sink.map((s) => [s.t, s.handled]));
    const throughput = lineChart('Throughput (2-s windows): messages into the topic, through the sink, and offsets committed', 'messages/s', [
        { label: 'produced (topic end)', color: '#4878d0', points: produced },
        { label: 'committed to PostgreSQL', color: '#d65f5f', points: committed },
        { label: 'group offsets', color: '#bbbbbb', points: offsets },
    ], spans);
    const lag = lineChart('Consumer lag: high watermark − committed offset, all partitions', 'messages', [{ label: 'lag', color: '#956cb4', points: result.series.map((s) => [s.t, s.lag]) }], spans);
    const gatewayChart = (title, unit, label, color, y) => lineChart(title, unit, [{ label, color, points: result.process.map((p) => [p.t, y(p)]) }], spans);
    const memory = gatewayChart('Gateway resident memory', 'MB', 'RSS', '#6acc64', (p) => p.rssMb);
    const cpu = gatewayChart('Gateway CPU', 'cores', 'utime + stime', '#ee854a', (p) => p.cores);
    return htmlPage({
        title: `adgate bench ${result.startedAt}`,
        heading: `adgate bench, ${result.mode} mode`,
        pass: result.pass,
        charts: [throughput, lag, memory, cpu],
        table: renderTable(result),
    });
}
//# sourceMappingURL=bench-html.js.map
import { escapeHtml } from './html-page.js';
function niceMax(value) {
    if (value <= 0)
        return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10])
        if (step * power >= value)
            return step * power;
    return 10 * power;
}
const compact = (n) => n >= 1e6
    ? `${+(n / 1e6).toFixed(1)}M`
    : n >= 1e3
        ? `${+(n / 1e3).toFixed(1)}k`
        : `${+n.toFixed(1)}`;
/**
 * A line chart as inline SVG: axes, grid, phase bands, a legend, optional
 * vertical marks and horizontal guides; no script, no external asset.
 */
export function lineChart(title, unit, lines, spans, extras = {}) {
    const marks = extras.marks ?? [];
    const guides = extras.guides ?? [];
    const width = 960;
    const height = 280;
    const left = 64;
    const right = 16;
    const top = 44;
    const bottom = 36;
    const all = lines.flatMap((l) => l.points);
    const xMax = Math.max(1, ...all.map(([x]) => x), ...spans.map((s) => s.to), ...marks.map((m) => m.at));
    const yMax = niceMax(Math.max(0, ...all.map(([, y]) => y), ...guides.map((g) => g.value)));
    const x = (v) => left + (v / xMax) * (width - left - right);
    const y = (v) => top + (1 - v / yMax) * (height - top - bottom);
    const parts = [];
    parts.push(`<text x="${left}" y="18" class="title">${escapeHtml(title)}</text>`);
    const bandColors = ['#eef3fb', '#f6efe6', '#eef7ee', '#f3eef8'];
    spans.forEach((s, i) => {
        parts.push(`<rect x="${x(s.from).toFixed(1)}" y="${top}" width="${Math.max(1, x(s.to) - x(s.from)).toFixed(1)}" height="${height - top - bottom}" fill="${bandColors[i % bandColors.length]}"/>`, `<text x="${(x(s.from) + 4).toFixed(1)}" y="${top + 12}" class="band">${escapeHtml(s.name)}</text>`);
    });
    for (let i = 0; i <= 4; i += 1) {
        const v = (yMax * i) / 4;
        parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`, `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="axis" text-anchor="end">${compact(v)}</text>`);
    }
    const xStep = niceMax(xMax / 8);
    for (let v = 0; v <= xMax; v += xStep) {
        parts.push(`<text x="${x(v).toFixed(1)}" y="${height - bottom + 16}" class="axis" text-anchor="middle">${compact(v)} s</text>`);
    }
    parts.push(`<text x="14" y="${top + (height - top - bottom) / 2}" class="axis" transform="rotate(-90 14 ${top + (height - top - bottom) / 2})" text-anchor="middle">${escapeHtml(unit)}</text>`);
    for (const g of guides) {
        parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(g.value).toFixed(1)}" y2="${y(g.value).toFixed(1)}" stroke="${g.color}" stroke-dasharray="6 4"/>`, `<text x="${width - right - 4}" y="${(y(g.value) - 4).toFixed(1)}" class="axis" text-anchor="end" style="fill:${g.color}">${escapeHtml(g.label)}</text>`);
    }
    marks.forEach((m, i) => {
        parts.push(`<line x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${top}" y2="${height - bottom}" stroke="${m.color}" stroke-width="1.2"${m.dashed ? ' stroke-dasharray="3 3"' : ''}/>`, `<text x="${(x(m.at) + 3).toFixed(1)}" y="${top + 26 + (i % 3) * 12}" class="band" style="fill:${m.color}">${escapeHtml(m.label)}</text>`);
    });
    lines.forEach((line, i) => {
        if (line.points.length > 0) {
            const d = line.points
                .map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`)
                .join('');
            parts.push(`<path d="${d}" fill="none" stroke="${line.color}" stroke-width="1.6"/>`);
        }
        const lx = width - right - 190 * (lines.length - i);
        parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="30" y2="30" stroke="${line.color}" stroke-width="2"/>`, `<text x="${lx + 24}" y="34" class="axis">${escapeHtml(line.label)}</text>`);
    });
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}
/** Per-second rates from cumulative samples, each over the last `windowS` seconds (smooths commit steps). */
export function rates(points, windowS = 2) {
    const out = [];
    let start = 0;
    for (let i = 1; i < points.length; i += 1) {
        const [t1, v1] = points[i];
        while (start < i - 1 && t1 - points[start + 1][0] >= windowS) {
            start += 1;
        }
        const [t0, v0] = points[start];
        if (t1 > t0)
            out.push([t1, Math.max(0, (v1 - v0) / (t1 - t0))]);
    }
    return out;
}
//# sourceMappingURL=line-chart.js.map
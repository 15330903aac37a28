/** The page every benchmark report is: one self-contained HTML file, no script, no external asset. */
export const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
/** The page: heading with PASS/FAIL, the charts, then the run's table. */
export function htmlPage(page) {
    const verdict = page.pass ? 'PASS' : 'FAIL';
    const intro = page.intro === undefined ? '' : `<p>${escapeHtml(page.intro)}</p>\n`;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(page.title)} ${verdict}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h1 .pass { color: #1a7f37; } h1 .fail { color: #cf222e; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
svg { display: block; margin: 16px 0; }
svg .title { font-size: 13px; font-weight: 600; } svg .axis { font-size: 11px; fill: #555; }
svg .band { font-size: 11px; fill: #777; } svg .grid { stroke: #e4e4e4; }
</style></head><body>
<h1>${escapeHtml(page.heading)}: <span class="${page.pass ? 'pass' : 'fail'}">${verdict}</span></h1>
${intro}${page.charts.join('\n')}
<pre>${escapeHtml(page.table)}</pre>
</body></html>
`;
}
//# sourceMappingURL=html-page.js.map
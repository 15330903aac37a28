export const fmtInt = (n) => n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US');
export const fmtMs = (n) => n === undefined ? '–' : n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
/** Targets with their values and whether they were met; never an assertion. */
export function targetsTable(targets) {
    return table([
        ['figure', 'target', 'value', 'met'],
        ...targets.map((t) => [
            t.name,
            t.target,
            t.value,
            t.met === undefined ? 'n/a' : t.met ? 'yes' : 'NO',
        ]),
    ]);
}
/** The verdict, each check, and every difference found (the benchmark and the rolling restart alike). */
export function verificationLines(pass, checks, differences) {
    const rows = checks.map((c) => [
        c.ok ? '  ok  ' : '  FAIL',
        c.name,
        `expected ${c.expected}, found ${c.actual}`,
    ]);
    return [
        `verification: ${pass ? 'PASS' : 'FAIL'}`,
        table(rows),
        ...differences.map((d) => `  - ${d}`),
    ].join('\n');
}
/** Rows as plain columns, two spaces apart, each padded to its widest cell. */
export function table(rows) {
    const widths = [];
    for (const row of rows) {
        row.forEach((cell, i) => {
            widths[i] = Math.max(widths[i] ?? 0, cell.length);
        });
    }
    return rows
        .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
        .join('\n');
}
//# sourceMappingURL=report-table.js.map
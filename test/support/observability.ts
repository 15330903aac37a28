import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// What the observability tests share: where the alert rules, the dashboard
// and the README are, and the few facts they read from each.

/** The repository root, from dist/test/support/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ALERT_RULES = `${REPO_ROOT}deploy/prometheus/adgate-alerts.yml`;
export const ALERT_RULE_TESTS = `${REPO_ROOT}deploy/prometheus/adgate-alerts.test.yml`;
export const DASHBOARD = `${REPO_ROOT}deploy/grafana/adgate.json`;
export const README = `${REPO_ROOT}README.md`;

export interface AlertBlock {
  readonly alert: string;
  readonly annotations: ReadonlySet<string>;
  readonly runbookUrl?: string;
}

/**
 * The alerts of a rules file with the annotation keys each sets. Not a
 * YAML parser: it reads the file's own shape (`- alert:` opens a rule,
 * `annotations:` keys one level deeper), and the test compares the count
 * with what promtool found, so a rule it misreads fails the test.
 */
export function readAlertBlocks(text: string): AlertBlock[] {
  const blocks: { alert: string; annotations: Set<string>; runbookUrl?: string }[] = [];
  let inAnnotations = false;
  let annotationIndent = -1;
  for (const line of text.split('\n')) {
    const alert = /^\s*- alert:\s*(\S+)/.exec(line);
    if (alert) {
      blocks.push({ alert: alert[1] as string, annotations: new Set() });
      inAnnotations = false;
      continue;
    }
    const current = blocks.at(-1);
    if (current === undefined) continue;
    const indent = line.search(/\S/);
    if (/^\s*annotations:\s*$/.test(line)) {
      inAnnotations = true;
      annotationIndent = -1;
      continue;
    }
    if (!inAnnotations || indent < 0) continue;
    if (annotationIndent < 0) annotationIndent = indent;
    if (indent < annotationIndent) inAnnotations = false;
    else if (indent === annotationIndent) {
      const entry = /^\s*([a-z_]+):\s*(.*)$/.exec(line);
      if (!entry) continue;
      current.annotations.add(entry[1] as string);
      if (entry[1] === 'runbook_url') current.runbookUrl = (entry[2] as string).trim();
    }
  }
  return blocks;
}

/** GitHub's anchors of the README's headings (lower case, punctuation dropped, spaces as -). */
export function readmeAnchors(text = readFileSync(README, 'utf8')): Set<string> {
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = (match[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    anchors.add(slug);
  }
  return anchors;
}

/**
 * Metrics the gateway declares that no scrape of a running gateway can see,
 * and why; the tests that compare /metrics with the README, the rules and
 * the dashboard let these alone be absent.
 */
export const UNSCRAPABLE_METRICS: readonly { name: string; why: string }[] = [
  {
    name: 'adgate_failures_total',
    why: 'written when the instance goes failed, then it drains (listener first) and exits',
  },
];

/**
 * The metric names of the README's "Metrics (GET /metrics)" section: every
 * code span in the first column of its tables, labels dropped.
 */
export function readmeMetricNames(text = readFileSync(README, 'utf8')): Set<string> {
  const start = text.indexOf('### Metrics (GET /metrics)');
  if (start < 0) throw new Error('README has no "### Metrics (GET /metrics)" section');
  const end = text.indexOf('\n#', start + 1);
  const names = new Set<string>();
  for (const row of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const first = /^\|([^|]*)\|/.exec(row)?.[1] ?? '';
    for (const span of first.matchAll(/`([a-z_:][a-z0-9_:]*)(?:\{[^}`]*\})?`/g)) {
      names.add(span[1] as string);
    }
  }
  return names;
}

/** The metric families a Prometheus text exposition declares (its # TYPE lines). */
export function servedMetricNames(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1] as string));
}

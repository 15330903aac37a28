import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCommand } from '../../testkit/run-command.js';
import {
  ALERT_RULE_TESTS,
  ALERT_RULES,
  readAlertBlocks,
  readmeAnchors,
} from '../support/observability.js';

// The alert rules of deploy/prometheus/ as Prometheus's own tool reads them:
// `promtool check rules` (syntax, PromQL, templates) and `promtool test
// rules` (each alert fires on its situation, and not on its harmless
// neighbour). promtool comes from Debian's prometheus package
// (scripts/ensure-prometheus.sh, run by scripts/test.sh).

async function promtool(args: string[]) {
  const result = await runCommand('promtool', args, { timeoutMs: 120_000 }).catch(
    (error: Error) => {
      throw new Error(
        `${error.message} (is promtool installed? bash scripts/ensure-prometheus.sh)`,
      );
    },
  );
  return { ...result, output: `${result.stdout}\n${result.stderr}` };
}

describe('alert rules (deploy/prometheus/adgate-alerts.yml)', () => {
  it('pass promtool check rules, and every alert has a summary, a description and a runbook in the README', async () => {
    const check = await promtool(['check', 'rules', ALERT_RULES]);
    assert.equal(check.code, 0, check.output);
    const found = Number(/SUCCESS: (\d+) rules found/.exec(check.output)?.[1]);
    const blocks = readAlertBlocks(readFileSync(ALERT_RULES, 'utf8'));
    assert.equal(blocks.length, found, 'every rule is an alert, each read here');
    const anchors = readmeAnchors();
    for (const b of blocks) {
      for (const key of ['summary', 'description', 'runbook_url']) {
        assert.ok(b.annotations.has(key), `${b.alert}: annotation ${key}`);
      }
      const anchor = /^README\.md#(.+)$/.exec(b.runbookUrl ?? '')?.[1];
      assert.ok(anchor, `${b.alert}: runbook_url ${b.runbookUrl} is README.md#<anchor>`);
      assert.equal(anchor, b.alert.toLowerCase(), `${b.alert}: the anchor is the alert's name`);
      assert.ok(anchors.has(anchor), `${b.alert}: README has a heading for #${anchor}`);
    }
  });

  it('pass their promtool unit tests (adgate-alerts.test.yml)', async () => {
    const result = await promtool(['test', 'rules', ALERT_RULE_TESTS]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });
});

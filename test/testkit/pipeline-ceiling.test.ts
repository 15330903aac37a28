import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipelineCeiling } from '../../testkit/pipeline-ceiling.js';

describe('pipelineCeiling: 1 / Σ (1 / stage ceiling)', () => {
  it('is the rate of stages that share the machine: two equal stages halve it', () => {
    const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;
    assert.ok(near(pipelineCeiling([100_000, 100_000]), 50_000));
    assert.ok(near(pipelineCeiling([100_000, 100_000, 100_000, 100_000]), 25_000));
  });

  it('is below the slowest stage and near it when the others are far faster', () => {
    const stages = [177_000, 1_050_000, 338_000, 205_000];
    const ceiling = pipelineCeiling(stages) as number;
    const expected = 1 / stages.reduce((sum, c) => sum + 1 / c, 0);
    assert.ok(Math.abs(ceiling - expected) < 1e-9);
    assert.ok(ceiling < Math.min(...stages));
    assert.ok(Math.abs((pipelineCeiling([1_000, 1e12]) as number) - 1_000) < 1e-3);
  });

  it('is one stage alone, leaves out stages not measured, and is undefined with none', () => {
    assert.ok(Math.abs((pipelineCeiling([42_000]) as number) - 42_000) < 1e-6);
    assert.ok(Math.abs((pipelineCeiling([42_000, 0, Number.NaN, -5]) as number) - 42_000) < 1e-6);
    assert.equal(pipelineCeiling([]), undefined);
    assert.equal(pipelineCeiling([0]), undefined);
  });
});

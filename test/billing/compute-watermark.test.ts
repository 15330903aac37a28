import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floorHour, greatestHourWhere } from '../../src/billing/compute-watermark.js';

const HOUR_MS = 3600_000;

describe('greatestHourWhere (the watermark search)', () => {
  const high = Date.UTC(2026, 11, 1, 12);

  for (const hoursBack of [0, 1, 2, 3, 7, 100, 9_000]) {
    it(`finds the last true hour ${hoursBack} hours back, asking few questions`, async () => {
      const edge = high - hoursBack * HOUR_MS;
      const asked: number[] = [];
      const found = await greatestHourWhere(high, async (h) => {
        asked.push(h);
        assert.equal(h % HOUR_MS, 0, 'asks whole hours only');
        return h <= edge;
      });
      assert.equal(found, edge);
      assert.ok(
        asked.length <= 2 * Math.ceil(Math.log2(hoursBack + 2)) + 2,
        `${asked.length} questions`,
      );
    });
  }

  it('answers the epoch when no hour holds', async () => {
    assert.equal(await greatestHourWhere(high, async () => false), 0);
  });

  it('floors to the hour and never below the epoch', () => {
    assert.equal(floorHour(high + HOUR_MS - 1), high);
    assert.equal(floorHour(-5), 0);
  });
});

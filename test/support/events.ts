/** Builders for SPEC §1 events in tests. */
export interface TestEvent {
  type: 'impression' | 'click' | 'conversion';
  impression_id: string;
  occurred_at: string;
  campaign_id: string;
  ad_id: string;
  publisher_id: string;
  conversion_id?: string;
  cost_micros?: number;
  revenue_micros?: number;
  currency?: string;
}

export function impression(id: string, overrides: Partial<TestEvent> = {}): TestEvent {
  return {
    type: 'impression',
    impression_id: id,
    occurred_at: new Date(Date.now() - 60_000).toISOString(),
    campaign_id: 'camp-1',
    ad_id: 'ad-1',
    publisher_id: 'pub-1',
    cost_micros: 1_000,
    ...overrides,
  };
}

export const DEV_KEY = 'dev-key';

export async function postEvents(
  baseUrl: string,
  body: unknown,
  options: { key?: string; contentType?: string; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.key ?? DEV_KEY}`,
      'content-type': options.contentType ?? 'application/json',
    },
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

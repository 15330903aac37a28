/** Builders for SPEC §1 events in tests. */
import type { StreamEvent } from '../../testkit/stream/stream-events.js';

/** A SPEC §1 event, as the generated streams write them. */
export type TestEvent = StreamEvent;

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

export function click(impressionId: string, overrides: Partial<TestEvent> = {}): TestEvent {
  return { ...impression(impressionId), type: 'click', cost_micros: 0, ...overrides };
}

export function conversion(
  impressionId: string,
  conversionId: string,
  overrides: Partial<TestEvent> = {},
): TestEvent {
  return {
    ...impression(impressionId),
    type: 'conversion',
    conversion_id: conversionId,
    cost_micros: 0,
    revenue_micros: 1_000_000,
    ...overrides,
  };
}

export const DEV_KEY = 'dev-key';

export async function postEvents(
  baseUrl: string,
  body: unknown,
  /** `key: null` sends no Authorization header. */
  options: { key?: string | null; contentType?: string; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
  };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? DEV_KEY}`;
  const response = await fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  return readJsonResponse(response);
}

/** GET /v1/billing/{hourly,daily,changes} with `query` as its query string. */
export async function getBilling(
  baseUrl: string,
  route: 'hourly' | 'daily' | 'changes',
  query: Record<string, string>,
  options: { key?: string | null } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const url = new URL(`/v1/billing/${route}`, baseUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers: Record<string, string> = {};
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? DEV_KEY}`;
  return readJsonResponse(await fetch(url, { headers }));
}

async function readJsonResponse(
  response: Response,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

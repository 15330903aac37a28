export function impression(id, overrides = {}) {
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
export function click(impressionId, overrides = {}) {
    return { ...impression(impressionId), type: 'click', cost_micros: 0, ...overrides };
}
export function conversion(impressionId, conversionId, overrides = {}) {
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
export async function postEvents(baseUrl, body, 
/** `key: null` sends no Authorization header. */
options = {}) {
    const headers = {
        'content-type': options.contentType ?? 'application/json',
    };
    if (options.key !== null)
        headers.authorization = `Bearer ${options.key ?? DEV_KEY}`;
    const response = await fetch(`${baseUrl}/v1/events`, {
        method: 'POST',
        headers,
        body: options.raw ?? JSON.stringify(body),
    });
    return readJsonResponse(response);
}
/** GET /v1/billing/{hourly,daily,changes} with `query` as its query string. */
export async function getBilling(baseUrl, route, query, options = {}) {
    const url = new URL(`/v1/billing/${route}`, baseUrl);
    for (const [name, value] of Object.entries(query))
        url.searchParams.set(name, value);
    const headers = {};
    if (options.key !== null)
        headers.authorization = `Bearer ${options.key ?? DEV_KEY}`;
    return readJsonResponse(await fetch(url, { headers }));
}
async function readJsonResponse(response) {
    const text = await response.text();
    let parsed = {};
    try {
        parsed = JSON.parse(text);
    }
    catch {
        parsed = { text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
}
//# sourceMappingURL=events.js.map
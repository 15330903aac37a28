import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildOpenApiDocument } from '../../src/openapi/build-openapi-document.js';

// SPEC §3: the OpenAPI 3.1 document is generated from the same schemas
// that validate requests; docs/openapi.json is that document, committed.

describe('docs/openapi.json', () => {
  it('is the document the zod schemas generate', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(
      committed,
      // Through JSON, as the file went: what JSON drops (undefined) must not differ.
      JSON.parse(JSON.stringify(buildOpenApiDocument())),
      'docs/openapi.json is out of date: run `npm run openapi` and commit the result',
    );
  });

  it('is OpenAPI 3.1 with every route of SPEC §3', () => {
    const document = buildOpenApiDocument() as { openapi: string; paths: Record<string, object> };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/admin/drain',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
      '/v1/billing/changes',
      '/v1/billing/daily',
      '/v1/billing/hourly',
      '/v1/billing/watermark',
      '/v1/events',
      '/v1/reconciliation/orphans',
    ]);
  });
});

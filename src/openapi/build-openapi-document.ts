import { z } from 'zod';
import {
  billingRowSchema,
  billingRowsSchema,
  changeRowSchema,
  changesPageSchema,
  invalidQuerySchema,
  orphansReportSchema,
  watermarkSchema,
} from '../billing/billing-responses.js';
import { billingQuerySchemas } from '../billing/query-billing.js';
import { changesQuerySchema } from '../billing/query-changes.js';
import { orphansQuerySchema } from '../billing/query-orphans.js';
import { eventSchema } from '../event/event-schema.js';
import {
  drainSchema,
  errorSchema,
  eventsAnswerSchema,
  healthSchema,
  readySchema,
} from './response-schemas.js';

/**
 * The OpenAPI 3.1 document of SPEC §3, generated from the zod schemas that
 * validate the requests and type the answers: nothing here restates a
 * rule. docs/openapi.json is this document as committed (`npm run
 * openapi` rewrites it; a test fails when they differ) and GET
 * /openapi.json serves it.
 */

type Body = { readonly schema: z.ZodType; readonly name?: string } | 'text' | 'json';

interface Operation {
  readonly summary: string;
  readonly scope?: 'ingest' | 'billing' | 'admin';
  readonly query?: z.ZodObject;
  readonly requestBody?: boolean;
  /** Per status, the body's schema. */
  readonly responses: Readonly<Record<number, Body>>;
}

const error = { schema: errorSchema, name: 'Error' };
const invalid = { schema: invalidQuerySchema, name: 'InvalidQuery' };
// Every route with a key: no key, a key without the scope, over a rate limit.
const guarded = { 401: error, 403: error, 429: error } as const;
// PostgreSQL away (503, with Retry-After) or a failure that would repeat.
const queried = { ...guarded, 400: invalid, 500: error, 503: error } as const;

type Methods = Readonly<Partial<Record<'get' | 'post', Operation>>>;

/** Every route of the HTTP API, with the schema of each answer: the document and its test read this. */
export const ROUTES: Readonly<Record<string, Methods>> = {
  '/v1/events': {
    post: {
      summary: 'Ingest events: 202 once every accepted event is durably in Kafka',
      scope: 'ingest',
      requestBody: true,
      responses: {
        202: { schema: eventsAnswerSchema, name: 'EventsAnswer' },
        422: { schema: eventsAnswerSchema, name: 'EventsAnswer' },
        ...guarded,
        400: error,
        408: error,
        413: error,
        415: error,
        500: error,
        503: error,
      },
    },
  },
  '/v1/billing/hourly': billingGet('Hourly sums of one campaign', billingQuerySchemas.hourly),
  '/v1/billing/daily': billingGet('Daily sums of one campaign', billingQuerySchemas.daily),
  '/v1/billing/changes': {
    get: {
      summary: 'The hourly rows whose sums changed, in commit order, paged by a cursor',
      scope: 'billing',
      query: changesQuerySchema,
      responses: { 200: { schema: changesPageSchema, name: 'ChangesPage' }, ...queried },
    },
  },
  '/v1/billing/watermark': {
    get: {
      summary: 'The instant before which no billing row can change any more',
      scope: 'billing',
      responses: {
        200: { schema: watermarkSchema, name: 'Watermark' },
        ...queried,
        501: error,
      },
    },
  },
  '/v1/reconciliation/orphans': {
    get: {
      summary: 'Clicks and conversions whose impression has not arrived, per hour',
      scope: 'billing',
      query: orphansQuerySchema,
      responses: { 200: { schema: orphansReportSchema, name: 'OrphansReport' }, ...queried },
    },
  },
  '/admin/drain': {
    post: {
      summary: 'Start a drain, as SIGTERM does',
      scope: 'admin',
      responses: { 202: { schema: drainSchema }, ...guarded },
    },
  },
  '/healthz': {
    get: {
      summary: 'Liveness: 503 once the instance failed',
      responses: { 200: { schema: healthSchema }, 503: { schema: healthSchema } },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: 200 only while ready',
      responses: { 200: { schema: readySchema }, 503: { schema: readySchema } },
    },
  },
  '/metrics': {
    get: { summary: 'Prometheus text format', responses: { 200: 'text' } },
  },
  '/openapi.json': {
    get: { summary: 'This document', responses: { 200: 'json' } },
  },
};

function billingGet(summary: string, query: z.ZodObject): Methods {
  return {
    get: {
      summary,
      scope: 'billing',
      query,
      responses: { 200: { schema: billingRowsSchema, name: 'BillingRows' }, ...queried },
    },
  };
}

const REF = (name: string) => `#/components/schemas/${name}`;

export function buildOpenApiDocument(): Record<string, unknown> {
  const responses = z.registry<{ id: string }>();
  responses.add(billingRowSchema, { id: 'BillingRow' });
  responses.add(changeRowSchema, { id: 'ChangeRow' });
  for (const operation of operations()) {
    for (const body of Object.values(operation.responses)) {
      if (typeof body === 'object' && body.name !== undefined && !responses.has(body.schema)) {
        responses.add(body.schema, { id: body.name });
      }
    }
  }
  const requests = z.registry<{ id: string }>();
  requests.add(eventSchema, { id: 'Event' });
  return {
    openapi: '3.1.0',
    info: {
      title: 'adgate',
      version: '1',
      description:
        'Exactly-once ad-event ingestion gateway: the HTTP API of SPEC §3. Generated from the zod schemas; do not edit (npm run openapi).',
    },
    paths: Object.fromEntries(
      Object.entries(ROUTES).map(([path, methods]) => [
        path,
        Object.fromEntries(
          Object.entries(methods).map(([method, op]) => [
            method,
            operationObject(op as Operation, responses),
          ]),
        ),
      ]),
    ),
    components: {
      schemas: {
        ...componentSchemas(requests, 'input'),
        ...componentSchemas(responses, 'output'),
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

function operations(): Operation[] {
  return Object.values(ROUTES).flatMap((methods) => Object.values(methods) as Operation[]);
}

function componentSchemas(
  registry: z.core.$ZodRegistry<{ id: string }>,
  io: 'input' | 'output',
): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, { io, uri: REF });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema, $id, ...schema }]) => [id, schema]),
  );
}

function inline(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema, ...json } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return json;
}

function operationObject(
  op: Operation,
  registry: z.core.$ZodRegistry<{ id: string }>,
): Record<string, unknown> {
  return {
    summary: op.summary,
    ...(op.scope === undefined
      ? {}
      : { security: [{ bearer: [] }], description: `Needs a key with the \`${op.scope}\` scope.` }),
    ...(op.query === undefined ? {} : { parameters: queryParameters(op.query) }),
    ...(op.requestBody === true ? { requestBody: eventsRequestBody() } : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, body]) => [
        status,
        responseObject(body, registry),
      ]),
    ),
  };
}

function queryParameters(query: z.ZodObject): Record<string, unknown>[] {
  return Object.entries(query.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: inline(field as z.ZodType, 'input'),
  }));
}

function eventsRequestBody(): Record<string, unknown> {
  const event = { $ref: REF('Event') };
  const events = { type: 'array', items: event };
  return {
    required: true,
    content: {
      'application/json': {
        schema: {
          oneOf: [
            event,
            events,
            {
              type: 'object',
              properties: { events },
              required: ['events'],
              additionalProperties: false,
            },
          ],
        },
      },
      'application/x-ndjson': {
        schema: { type: 'string', description: 'one Event per line' },
      },
    },
  };
}

function responseObject(
  body: Body,
  registry: z.core.$ZodRegistry<{ id: string }>,
): Record<string, unknown> {
  if (body === 'text') {
    return { description: 'text', content: { 'text/plain': { schema: { type: 'string' } } } };
  }
  if (body === 'json') {
    return { description: 'JSON', content: { 'application/json': { schema: { type: 'object' } } } };
  }
  const id = registry.get(body.schema)?.id;
  const schema = id === undefined ? inline(body.schema, 'output') : { $ref: REF(id) };
  return { description: body.name ?? 'answer', content: { 'application/json': { schema } } };
}

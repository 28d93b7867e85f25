/**
 * The OpenAPI 3.1 document of the versioned API, generated from the route table and the
 * contract's input schemas (served at `/api/v1/openapi.json`).
 */
import { ERROR_CODES } from './errors';
import { JOB_EVENT_TYPES } from './model';
import { createsJob, inputSchema, REST_PREFIX, REST_ROUTES, REST_STREAMS, type RestRoute } from './restApi';

type Schema = Record<string, unknown>;

const errorSchema: Schema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: {} },
};

const idParameter = { name: 'id', in: 'path', required: true, description: 'The job id', schema: { type: 'integer', minimum: 1 } };

const errors = {
  '400': { $ref: '#/components/responses/Error' },
  '401': { $ref: '#/components/responses/Error' },
  '404': { $ref: '#/components/responses/Error' },
  '429': { $ref: '#/components/responses/TooMany' },
};

function operation(route: RestRoute): Schema {
  const schema = inputSchema(route.command);
  const properties = { ...((schema.properties as Record<string, Schema> | undefined) ?? {}) };
  const required = ((schema.required as string[] | undefined) ?? []).filter((name) => name !== 'id');
  const hasId = route.path.includes('{id}');
  delete properties.id;
  const parameters: Schema[] = hasId ? [idParameter] : [];
  const op: Schema = { operationId: route.command, summary: route.summary, tags: [route.tag] };
  if (route.from === 'query') {
    for (const [name, prop] of Object.entries(properties)) {
      const array = prop.type === 'array';
      parameters.push({ name, in: 'query', required: required.includes(name), schema: prop, ...(array ? { style: 'form', explode: false } : {}) });
    }
  } else if (Object.keys(properties).length > 0) {
    op.requestBody = {
      required: required.length > 0,
      content: { 'application/json': { schema: { ...schema, properties, required } } },
    };
  }
  if (parameters.length) op.parameters = parameters;
  const ok = createsJob(route) ? '201' : '200';
  op.responses = { [ok]: { description: 'The command\'s result (see the contract)', content: { 'application/json': { schema: { type: ['object', 'array'] } } } }, ...errors };
  return op;
}

const streamOps: Record<string, Record<string, Schema>> = {
  [REST_STREAMS.log]: {
    get: {
      operationId: 'followLog',
      summary: "The job log as text/plain, byte-identical to the file from `offset`; `follow=1` keeps the response open until the job ends (curl -N)",
      tags: ['events'],
      parameters: [
        idParameter,
        { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        { name: 'follow', in: 'query', required: false, schema: { type: 'string', enum: ['0', '1', 'true', 'false'] } },
        { name: 'epoch', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
      ],
      responses: { '200': { description: 'The log bytes, chunked', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors },
    },
  },
  [REST_STREAMS.jobEvents]: {
    get: {
      operationId: 'jobEvents',
      summary: "One job's events as server-sent events: `id:` is the event's sequence number; resume with Last-Event-ID or `since`; a heartbeat every 5 s; `end` when the job has finished",
      tags: ['events'],
      parameters: [
        idParameter,
        { name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        { name: 'types', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', items: { type: 'string', enum: [...JOB_EVENT_TYPES] } } },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } },
      ],
      responses: { '200': { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors },
    },
  },
  [REST_STREAMS.events]: {
    get: {
      operationId: 'allEvents',
      summary:
        "Every job's events as server-sent events, each with its `jobId`: `id:` is the event's global id, kept across restarts; from now unless `since` or Last-Event-ID says where to resume (`since=0`: the oldest kept); `job=` keeps some jobs; a heartbeat every 5 s; `missed` first when the cursor is older than what is kept",
      tags: ['events'],
      parameters: [
        { name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
        { name: 'types', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', items: { type: 'string', enum: [...JOB_EVENT_TYPES] } } },
        { name: 'job', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1 } } },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } },
      ],
      responses: { '200': { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors },
    },
  },
  [REST_STREAMS.export]: {
    get: {
      operationId: 'exportJobs',
      summary: 'The jobs that match the filters (those of listJobs), as CSV or JSON, streamed',
      tags: ['jobs'],
      parameters: [{ name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['csv', 'json'] } }],
      responses: {
        '200': { description: 'The export', content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'array' } } } },
        ...errors,
      },
    },
  },
};

/** The whole document; `version` is the app's. */
export function openApiDocument(version: string): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of REST_ROUTES) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  for (const [path, ops] of Object.entries(streamOps)) paths[path] = { ...(paths[path] ?? {}), ...ops };
  paths['/openapi.json'] = {
    get: { operationId: 'openApi', summary: 'This document', tags: ['status'], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry',
      version,
      description: 'Ferry\'s engine over HTTP: list, create, control and follow jobs. Every request carries `Authorization: Bearer <token>` (a running instance writes its `url` and `token` to `instance.json`, mode 0600, in its data directory).',
    },
    servers: [{ url: REST_PREFIX }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'jobs', description: 'Jobs: list, create, control' },
      { name: 'events', description: 'Logs and events, polled or followed' },
      { name: 'status', description: 'Health and figures' },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: errorSchema },
      responses: {
        Error: { description: "The contract's error", content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        TooMany: {
          description: 'Too many requests or streams; `Retry-After` says when to try again',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the versioned API, generated from the route table, the contract's
 * input schemas and the result schemas of restResults.ts (served at `/api/v1/openapi.json`).
 */
import { z } from 'zod';
import { JOB_EVENT_TYPES } from './model';
import { createsJob, inputSchema, REST_PREFIX, REST_ROUTES, REST_STREAMS, type RestRoute } from './restApi';
import { NAMED_SCHEMAS, RESULT_SCHEMAS, type RestCommand } from './restResults';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** The name each result schema has in `components.schemas`: its shared name, else the command's. */
function schemaName(command: RestCommand): string {
  const schema = RESULT_SCHEMAS[command];
  return NAMED_SCHEMAS.get(schema) ?? `${command[0]!.toUpperCase()}${command.slice(1)}Result`;
}

/** Every result schema (and the error and event schemas) as JSON Schema, sharing what they share by `$ref`. */
function componentSchemas(): Record<string, Schema> {
  const registry = z.registry<{ id: string }>();
  const add = (schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
  };
  for (const [schema, name] of NAMED_SCHEMAS) add(schema, name);
  for (const command of Object.keys(RESULT_SCHEMAS) as RestCommand[]) add(RESULT_SCHEMAS[command], schemaName(command));
  const { schemas } = z.toJSONSchema(registry, { io: 'output', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _schema, $id: _id, ...schema }]) => [name, schema as Schema]),
  );
}

const idParameter = { name: 'id', in: 'path', required: true, description: 'The job id', schema: { type: 'integer', minimum: 1 } };

const error = (description: string): Schema => ({ description, content: { 'application/json': { schema: ref('Error') } } });

/**
 * The errors a route can answer, each the contract's `{code, message}`: every route can meet the
 * request guard and the limits; a route naming a job (or creating one from another job or a
 * destination) can miss it; a route that changes a job can find it in the wrong state.
 */
function errors(route: { path: string; method: string; creates?: boolean }): Record<string, Schema> {
  const named = route.path.includes('{id}') || route.creates === true;
  const changes = route.method !== 'GET';
  return {
    '400': error('INVALID_INPUT: a parameter or the body does not fit the schema (the message says which)'),
    '401': error('UNAUTHORIZED: no token, or not this instance\'s token'),
    '403': error('UNAUTHORIZED: sent by a web page of another origin'),
    ...(named ? { '404': error('NOT_FOUND: no such job (or destination, or source job)') } : {}),
    ...(changes ? { '409': error('CONFLICT: the job is not in a state that allows this (the message says which)') } : {}),
    '421': error('UNAUTHORIZED: the Host header does not name this loopback address'),
    '429': { $ref: '#/components/responses/TooMany' },
    '500': error('IO or INTERNAL: the instance failed (a disk error, a bug)'),
  };
}

function operation(route: RestRoute): Schema {
  const schema = inputSchema(route.command);
  const properties = { ...((schema.properties as Record<string, Schema> | undefined) ?? {}) };
  const required = ((schema.required as string[] | undefined) ?? []).filter((name) => name !== 'id');
  const hasId = route.path.includes('{id}');
  delete properties.id;
  const parameters: Schema[] = hasId ? [idParameter] : [];
  const op: Schema = { operationId: route.command, summary: route.summary, tags: [route.tag] };
  if (route.from === 'query') {
    parameters.push(...queryParameters(properties, required));
  } else if (Object.keys(properties).length > 0) {
    op.requestBody = {
      required: required.length > 0,
      content: { 'application/json': { schema: { ...schema, properties, required } } },
    };
  }
  if (parameters.length) op.parameters = parameters;
  const creates = createsJob(route);
  op.responses = {
    [creates ? '201' : '200']: { description: creates ? 'The new job' : 'The command\'s result', content: { 'application/json': { schema: ref(schemaName(route.command)) } } },
    ...errors({ ...route, creates }),
  };
  return op;
}

/** A command's input fields as query parameters; arrays comma-separated (`state=failed,canceled`). */
function queryParameters(properties: Record<string, Schema>, required: string[]): Schema[] {
  return Object.entries(properties).map(([name, prop]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema: prop,
    ...(prop.type === 'array' ? { style: 'form', explode: false } : {}),
  }));
}

const text = (description: string, mediaType: string): Schema => ({ description, content: { [mediaType]: { schema: { type: 'string' } } } });

const exportFilters = (() => {
  const schema = inputSchema('exportJobs');
  const properties = { ...((schema.properties as Record<string, Schema> | undefined) ?? {}) };
  delete properties.path;
  return queryParameters(properties, (schema.required as string[] | undefined) ?? []);
})();

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
      responses: {
        '200': {
          ...text('The log bytes, chunked; `X-Ferry-Log-Epoch` says which cut of the file the offsets belong to', 'text/plain'),
          headers: { 'X-Ferry-Log-Epoch': { schema: { type: 'integer', minimum: 0 } } },
        },
        ...errors({ path: REST_STREAMS.log, method: 'GET' }),
      },
    },
  },
  [REST_STREAMS.jobEvents]: {
    get: {
      operationId: 'jobEvents',
      summary:
        "One job's events as server-sent events: `id:` is the event's sequence number, `event:` its type and `data:` the event as JSON (the JobEvent schema, with `jobId`); resume with Last-Event-ID or `since`; `event: heartbeat` every 5 s while nothing else is sent; `event: end` when the job has finished and `event: idle` when the stream is closed after sending nothing but heartbeats for the idle limit (health's `api.limits.idleStreamMs`)",
      tags: ['events'],
      parameters: [
        idParameter,
        { name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
        { name: 'types', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array', items: { type: 'string', enum: [...JOB_EVENT_TYPES] } } },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } },
      ],
      responses: { '200': text('The event stream', 'text/event-stream'), ...errors({ path: REST_STREAMS.jobEvents, method: 'GET' }) },
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
      summary: 'The jobs that match the filters (those of listJobs), as CSV or a JSON array of jobs, streamed; `X-Ferry-Count` says how many',
      tags: ['jobs'],
      parameters: exportFilters,
      responses: {
        '200': {
          description: 'The export, as an attachment',
          headers: { 'X-Ferry-Count': { schema: { type: 'integer', minimum: 0 } } },
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'array', items: ref('Job') } } },
        },
        ...errors({ path: REST_STREAMS.export, method: 'GET' }),
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
    get: {
      operationId: 'openApi',
      summary: 'This document',
      tags: ['status'],
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors({ path: '/openapi.json', method: 'GET' }) },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry',
      version,
      description:
        'Ferry\'s engine over HTTP: list, create, control and follow jobs. Every request carries `Authorization: Bearer <token>` (a running instance writes its `url` and `token` to `instance.json`, mode 0600, in its data directory). Errors are `{code, message}` with the HTTP status of their code; a method a path does not take answers 405 with `Allow`, a path that is not a route 404.',
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
      schemas: componentSchemas(),
      responses: {
        TooMany: {
          description: 'UNAVAILABLE: too many requests or streams; `Retry-After` says when to try again',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: { 'application/json': { schema: ref('Error') } },
        },
      },
    },
  };
}


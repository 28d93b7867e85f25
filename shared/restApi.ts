/**
 * The versioned HTTP API (`/api/v1/`): each resource path and method named once, with the contract
 * command it runs. The web host serves these routes, the OpenAPI document is generated from them
 * and the contract's schemas, and scripts (curl, Python) use them without a client library.
 * The two routes that are not commands (a followed log, server-sent events) are in `REST_STREAMS`.
 */
import { z } from 'zod';
import { commands, type CommandName } from './contract';
import type { RestCommand } from './restResults';

export const REST_PREFIX = '/api/v1';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRoute {
  method: RestMethod;
  /** Under REST_PREFIX; `{id}` is a job id and becomes the input's `id`. */
  path: string;
  /** A command with a result schema in restResults.ts (the document's response). */
  command: RestCommand;
  /** One line for the OpenAPI document. */
  summary: string;
  /** Where the command's other input fields come from: the query string or a JSON body. */
  from: 'query' | 'body';
  /** OpenAPI tag: the contract's domain. */
  tag: 'jobs' | 'events' | 'status';
}

const q = (method: RestMethod, path: string, command: RestCommand, summary: string, tag: RestRoute['tag'] = 'jobs'): RestRoute => ({ method, path, command, summary, from: 'query', tag });
const b = (method: RestMethod, path: string, command: RestCommand, summary: string, tag: RestRoute['tag'] = 'jobs'): RestRoute => ({ method, path, command, summary, from: 'body', tag });

export const REST_ROUTES: readonly RestRoute[] = [
  q('GET', '/health', 'health', 'How the instance is doing: scheduler, receiver, destinations, disk, API usage', 'status'),
  q('GET', '/stats', 'jobStats', 'Success rate, duration percentiles, bytes moved and hourly throughput', 'status'),
  q('GET', '/jobs', 'listJobs', 'Jobs matching the filters, sorted and paged; `ids=` gives the status of many jobs at once'),
  q('GET', '/jobs/search', 'searchJobs', 'Full-text search over job names, metadata and log lines'),
  q('GET', '/jobs/{id}', 'getJob', 'One job'),
  q('GET', '/jobs/{id}/items', 'listJobItems', "A job's files (items), paged"),
  q('GET', '/jobs/{id}/pipeline', 'getPipeline', "The pipeline a job belongs to: its steps in order and those still to come"),
  q('GET', '/jobs/{id}/events/page', 'listEvents', "A job's events after `since` (the polling twin of the event stream)", 'events'),
  b('POST', '/jobs/uploads', 'createUpload', 'Creates an upload job'),
  b('POST', '/uploads/plan', 'planUpload', 'What an incremental upload would send: local files compared with what the destination holds (new, changed, unchanged, removed)'),
  b('POST', '/jobs/downloads', 'createDownloadJob', 'Creates a download job'),
  b('POST', '/jobs/verifications', 'createVerifyJob', 'Creates a verify job'),
  b('POST', '/jobs/s3-downloads', 'createBucketDownload', 'Creates a job that downloads an S3 prefix (or an uploaded dataset) to a local folder'),
  b('POST', '/jobs/commands', 'createCommandJob', 'Creates a command job (when the user allows command jobs)'),
  b('POST', '/jobs/{id}/pause', 'pauseJob', 'Pauses a queued or running job'),
  b('POST', '/jobs/{id}/resume', 'resumeJob', 'Resumes a paused job from where it stood'),
  b('POST', '/jobs/{id}/cancel', 'cancelJob', 'Cancels a job'),
  b('POST', '/jobs/{id}/retry', 'retryJob', 'Queues a failed or canceled job again'),
  b('POST', '/jobs/{id}/stop-after-current', 'stopAfterCurrent', 'Lets a running job finish the item in hand, then pause'),
  b('POST', '/jobs/{id}/resend-failed', 'resendFailed', 'Sends the failed files of a job that completed with failures again, as a new attempt'),
  b('POST', '/jobs/{id}/approve', 'approveJob', 'Approves a job waiting at an approval gate'),
  b('POST', '/jobs/{id}/reject', 'rejectJob', 'Rejects a job waiting at an approval gate'),
  b('PUT', '/jobs/{id}/priority', 'setPriority', 'Changes the priority of a job'),
  q('DELETE', '/jobs/{id}', 'deleteJob', 'Deletes a job with its log; `deleteFiles=true` also deletes what it uploaded'),
];

/** Whether a route makes a new job (`POST /jobs/<kind>`): it answers 201 Created. */
export function createsJob(route: RestRoute): boolean {
  return route.method === 'POST' && route.path.startsWith('/jobs/') && !route.path.includes('{id}');
}

/** The routes that stream instead of answering once. */
export const REST_STREAMS = {
  /** The job log as text/plain from `offset`, byte-identical to the file; `follow=1` keeps it open until the job ends. */
  log: '/jobs/{id}/log',
  /** One job's events as server-sent events. */
  jobEvents: '/jobs/{id}/events',
  /** Every job's events as server-sent events. */
  events: '/events',
  /** The jobs that match the filters as CSV or JSON, streamed. */
  export: '/jobs/export',
} as const;

/** Matches one template: `none` when it has no `{id}`, the id when it has one, null when no match. */
export function matchPath(template: string, pathname: string): number | 'none' | null {
  const t = template.split('/');
  const p = pathname.split('/');
  if (t.length !== p.length) return null;
  let id: number | 'none' = 'none';
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '{id}') {
      if (!/^[1-9][0-9]{0,15}$/.test(p[i]!)) return null;
      id = Number(p[i]);
    } else if (t[i] !== p[i]) return null;
  }
  return id;
}

/** A command input as a query string `inputFromQuery` reads back: arrays comma-separated, unset fields left out. */
export function restQuery(input: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return query.toString();
}

type JsonSchema = { type?: string | string[]; items?: JsonSchema; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };

/** The JSON Schema of a command's input, as a client sends it (defaults optional). */
export function inputSchema(command: CommandName): JsonSchema & Record<string, unknown> {
  return z.toJSONSchema(commands[command].input, { io: 'input', unrepresentable: 'any' }) as JsonSchema & Record<string, unknown>;
}

/**
 * A command's input from a query string, typed by its schema: numbers and booleans parsed, arrays
 * from repeated keys or comma-separated values. Unknown keys are passed on, so the contract's strict
 * schema refuses them with its own message.
 */
export function inputFromQuery(command: CommandName, query: URLSearchParams): Record<string, unknown> {
  const properties = inputSchema(command).properties ?? {};
  const input: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    const schema = properties[key];
    const kind = schemaType(schema);
    if (kind === 'array') input[key] = values.flatMap((v) => v.split(',')).filter((v) => v !== '').map((v) => scalar(schemaType(schema?.items), v));
    else input[key] = scalar(kind, values[values.length - 1]!);
  }
  return input;
}

function schemaType(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.anyOf?.map(schemaType).find((t) => t !== undefined && t !== 'null');
}

function scalar(kind: string | undefined, value: string): unknown {
  if ((kind === 'integer' || kind === 'number') && /^-?[0-9]+(\.[0-9]+)?$/.test(value)) return Number(value);
  if (kind === 'boolean' && (value === 'true' || value === '1')) return true;
  if (kind === 'boolean' && (value === 'false' || value === '0')) return false;
  return value;
}

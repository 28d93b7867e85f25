/** `ferry search`, `ferry stats` and `ferry events [-f]`. */
import type { FeedEvent } from '../../shared/contract';
import { JOB_EVENT_TYPES, type JobEvent } from '../../shared/model';
import { jobIdArg, listArg } from './args';
import { EXIT, usageError } from './cliError';
import { jobExit, write, type Ctx } from './commands';
import { eventLine, searchTable, statsText } from './format';
import { followSse } from './sseClient';

export async function search(ctx: Ctx): Promise<number> {
  const { values, positionals } = ctx.line;
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw usageError(`ferry search: --limit must be 1..200, got ${String(values.limit)}`);
  const text = positionals[0]!.trim();
  if (!text) throw usageError('ferry search: give the words to look for');
  const result = await ctx.conn.call('searchJobs', { text, limit });
  await write(ctx.io.stdout, values.json ? `${JSON.stringify(result, null, 2)}\n` : searchTable(result.hits));
  return EXIT.ok;
}

function dateArg(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw usageError(`ferry stats: --${option} ${JSON.stringify(value)} is not a date (use ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00Z)`);
  return ms;
}

export async function stats(ctx: Ctx): Promise<number> {
  const { values } = ctx.line;
  const from = dateArg(values.from, 'from');
  const to = dateArg(values.to, 'to');
  if (from !== undefined && to !== undefined && from >= to) throw usageError('ferry stats: --from must be before --to');
  const result = await ctx.conn.call('jobStats', { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  await write(ctx.io.stdout, values.json ? `${JSON.stringify(result, null, 2)}\n` : statsText(result));
  return EXIT.ok;
}

/**
 * `ferry events [-f] [<id>]`: a job's events (all of them, or followed until it ends, exiting as
 * `logs -f` does), or with -f and no id every job's events until Ctrl-C, which ends it with 0.
 */
export async function events(ctx: Ctx): Promise<number> {
  const { values, positionals } = ctx.line;
  const id = positionals[0] === undefined ? undefined : jobIdArg(positionals[0], 'events');
  const types = listArg(values, 'types', JOB_EVENT_TYPES, 'events');
  let since: number | undefined;
  if (values.since !== undefined) {
    since = Number(values.since);
    if (!/^[0-9]{1,15}$/.test(String(values.since))) throw usageError(`ferry events: --since must be an event id (a whole number), got ${JSON.stringify(values.since)}`);
  }
  if (id === undefined && !values.follow) throw usageError('ferry events: name a job, or follow every job with -f');
  const print = (event: JobEvent | FeedEvent) => write(ctx.io.stdout, values.json ? `${JSON.stringify(id === undefined ? event : { jobId: id, ...event })}\n` : eventLine(event, id));

  if (!values.follow) {
    for (let after = since ?? 0; ; ) {
      const page = await ctx.conn.call('listEvents', { id: id!, since: after, limit: 10_000 });
      for (const event of page.events) if (!types || types.includes(event.type)) await print(event);
      if (page.events.length < 10_000) return EXIT.ok;
      after = page.nextSince;
    }
  }

  const query = new URLSearchParams();
  if (since !== undefined) query.set('since', String(since));
  if (types) query.set('types', types.join(','));
  const path = `${id === undefined ? '/events' : `/jobs/${id}/events`}${query.size ? `?${query}` : ''}`;
  // Ctrl-C ends a follow cleanly: the connection is closed and the exit code is 0.
  const own = ctx.io.signal ? undefined : new AbortController();
  const onInt = () => own?.abort();
  if (own) process.once('SIGINT', onInt);
  try {
    const outcome = await followSse(() => ctx.conn.relocate(), path, (event) => {
      if (event.event === 'heartbeat' || event.event === 'missed' || !event.id) {
        if (event.event === 'missed') ctx.io.stderr.write(`ferry: ${(JSON.parse(event.data) as { missed: number }).missed} older events are no longer kept\n`);
        return;
      }
      ctx.io.stdout.write(values.json ? `${event.data}\n` : eventLine(JSON.parse(event.data) as FeedEvent));
    }, ctx.io.signal ?? own!.signal);
    if (outcome !== 'end' || id === undefined) return EXIT.ok;
    return jobExit(await ctx.conn.call('getJob', { id }), ctx.io, values['allow-partial'] === true);
  } finally {
    if (own) process.off('SIGINT', onInt);
  }
}

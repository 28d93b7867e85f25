/**
 * A job log names where to follow it: the shipped web host (`out/main/serve.js` as a process)
 * writes its HTTP API's follow URL into each job's header, and the real curl follows that URL to
 * the end of the log. The footer lists the items, capped, with a count beyond the cap.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_RESULTS_CAP, parseJobLogFooters, parseJobLogHeader } from '../../../shared/jobLog';
import type { JobView } from '../../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { makeTmpDir } from '../../helpers/tmpDir';

let ferry: ServedFerry;
let dataDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: dataDir, cleanup } = makeTmpDir('ferry-monitor-'));
  ferry = await startServedFerry(dataDir);
});

afterAll(async () => {
  await ferry?.stop();
  await cleanup?.();
});

describe('the job log header and footer', () => {
  it('names the HTTP follow URL in the header, which curl -N follows to the end; the footer lists items, capped', async () => {
    const items = ITEM_RESULTS_CAP + 20;
    const job = await ferry.call<JobView>('createDemoJob', { items, itemDelayMs: 5, failRate: 0, linesPerItem: 1 });
    const logPath = join(dataDir, 'jobs', String(job.id), 'job.log');
    const header = parseJobLogHeader(readFileSync(logPath, 'utf8'));
    const expected = `${new URL(ferry.url).origin}/api/v1/jobs/${job.id}/log?follow=1`;
    expect(header?.monitor).toBe(expected);
    expect(readFileSync(logPath, 'utf8')).toContain(`# Monitor: ${expected}\n`);

    // The URL as written (no token in the log): the caller brings its own.
    const curl = spawn('curl', ['-sS', '-N', '--fail', '-H', `Authorization: Bearer ${ferry.token}`, header!.monitor!]);
    const chunks: Buffer[] = [];
    curl.stdout.on('data', (c: Buffer) => chunks.push(c));
    let stderr = '';
    curl.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => curl.once('exit', r));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    await waitUntil(`job ${job.id} completed`, async () => (await ferry.call<JobView>('getJob', { id: job.id })).state === 'completed');
    const text = readFileSync(logPath);
    expect(Buffer.concat(chunks).equals(text)).toBe(true);

    const footer = parseJobLogFooters(text.toString('utf8')).at(-1)!;
    expect(footer.items?.processed).toHaveLength(ITEM_RESULTS_CAP);
    expect(footer.items?.processed[0]).toBe('item_001');
    expect(footer.items).toMatchObject({ processedMore: 20, failed: [], failedMore: 0 });
    expect(text.toString('utf8')).not.toContain(ferry.token);
  });
});

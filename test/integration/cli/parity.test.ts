/**
 * The CLI's commands for scripting Ferry (destinations, download, command, verify, delete,
 * priority, search, stats, events, --json) against the shipped `ferry serve` started as a process,
 * each with its bad inputs and exit codes. The CLI runs in-process (its `main`), except for
 * Ctrl-C, which the built bundle gets as a real signal.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent, JobPage, SearchHit } from '../../../shared/contract';
import type { DestinationTest, DestinationView } from '../../../shared/destinations';
import type { JobEvent, JobStats, JobView } from '../../../shared/model';
import { startS3Server, type S3ServerHandle } from '../../helpers/s3Server';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { makeTmpDir } from '../../helpers/tmpDir';
import { runCli, startCli } from './cliFixture';

const BUNDLE = resolve('out/main/cli.js');

let ferry: ServedFerry;
let dataDir: string;
let work: string;
const cleanups: (() => Promise<void>)[] = [];

/** `ferry <args>` against the served instance, from the scratch folder, with `stdin` as its input. */
const cli = (args: string[], stdin?: string) => runCli(dataDir, args, { cwd: work, ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}) });

function ended(id: number): Promise<JobView> {
  return waitUntil(`job ${id} to end`, async () => {
    const view = await ferry.call<JobView>('getJob', { id });
    return ['failed', 'completed', 'canceled'].includes(view.state) ? view : undefined;
  });
}

function demo(items: number, itemDelayMs: number, name?: string): Promise<JobView> {
  return ferry.call<JobView>('createDemoJob', { items, itemDelayMs, failRate: 0, linesPerItem: 1, ...(name ? { name } : {}) });
}

function dataset(name: string, files = 3): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${i}.bin`), createHash('sha512').update(`${name} ${i}`).digest());
  return dir;
}

beforeAll(async () => {
  const data = makeTmpDir('ferry-cli-parity-');
  const scratch = makeTmpDir('ferry-cli-work-');
  cleanups.push(data.cleanup, scratch.cleanup);
  dataDir = data.dir;
  work = scratch.dir;
  ferry = await startServedFerry(dataDir, ['--allow-command-jobs']);
});

afterAll(async () => {
  await ferry?.stop();
  for (const c of cleanups) await c();
});

describe('ferry dest', () => {
  it('lists, adds (secrets from stdin or a file), tests and removes destinations', async () => {
    const list = await cli(['dest', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\s*ID\s+NAME\s+KIND\s+DEFAULT\s+WHERE\n/);
    expect(list.stdout).toMatch(/receiver\s+yes/);

    mkdirSync(join(work, 'nas'));
    const folder = await cli(['dest', 'add', 'Lab NAS', '--kind', 'folder', '--path', 'nas']);
    expect(folder).toMatchObject({ code: 0, stderr: '' });
    expect(folder.stdout).toMatch(new RegExp(`^Destination Lab NAS \\[\\S+\\] added: ${join(work, 'nas').replace(/[/\\]/g, '.')}\\n$`));

    const tus = await cli(['dest', 'add', 'tusd', '--kind', 'tus', '--endpoint', 'http://127.0.0.1:9/files/', '--header', 'X-Project:p7', '--secret-header', 'X-Token', '--secret-stdin', '--json'], 'tus-secret-value\n');
    expect(tus.code).toBe(0);
    const tusView = JSON.parse(tus.stdout) as DestinationView;
    expect(tusView).toMatchObject({ name: 'tusd', kind: 'tus', hasSecret: true, config: { headers: { 'X-Project': 'p7' } } });

    writeFileSync(join(work, 'key.txt'), 's3-secret-key\n', { mode: 0o600 });
    const s3 = await cli(['dest', 'add', 'archive', '--kind', 's3', '--bucket', 'lab-archive', '--access-key-id', 'AKIA1', '--endpoint', 'http://127.0.0.1:9', '--path-style', '--secret-file', 'key.txt', '--default']);
    expect(s3.stdout).toMatch(/^Destination archive \[\S+\] added: .*lab-archive.* \(default\)\n$/);

    const json = await cli(['dest', 'list', '--json']);
    const all = JSON.parse(json.stdout) as DestinationView[];
    expect(all.map((d) => d.name)).toEqual(expect.arrayContaining(['Lab NAS', 'tusd', 'archive']));
    expect(all.find((d) => d.name === 'archive')).toMatchObject({ isDefault: true, hasSecret: true });
    // Secrets go in and never come back out.
    expect(json.stdout).not.toContain('tus-secret-value');
    expect(json.stdout).not.toContain('s3-secret-key');

    // A test that reaches the folder passes; one of a server that is not there fails with exit 1.
    const ok = await cli(['dest', 'test', 'lab nas']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Lab NAS: OK, /);
    const down = await cli(['dest', 'test', 'tusd']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^ferry: tusd: FAILED, /);
    const downJson = await cli(['dest', 'test', tusView.id, '--json']);
    expect(downJson.code).toBe(1);
    expect(JSON.parse(downJson.stdout) as DestinationTest).toMatchObject({ ok: false, problem: 'refused' });

    const removed = await cli(['dest', 'remove', 'tusd']);
    expect(removed).toMatchObject({ code: 0, stdout: `Destination tusd [${tusView.id}] removed\n` });
    expect((await cli(['dest', 'list'])).stdout).not.toMatch(/tusd/);
    // Uploads of the other tests go to the built-in receiver again.
    await ferry.call('setDefaultDestination', { id: all.find((d) => d.kind === 'receiver')!.id });
  });

  it.each([
    [['dest', 'add', 'x', '--kind', 's3', '--bucket', 'abc', '--access-key-id', 'A', '--secret', 'hunter2'], /a secret on the command line is visible to every process.*--secret-stdin/],
    [['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'http://h/', '--secret=hunter2'], /a secret on the command line/],
    [['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'http://h/', '--header', 'Authorization:Bearer hunter2'], /the Authorization header carries a credential/],
    [['dest', 'add', 'x', '--kind', 's3', '--bucket', 'abc', '--access-key-id', 'A'], /needs the secret access key from --secret-stdin or --secret-file/],
    [['dest', 'add', 'x', '--kind', 'ftp'], /--kind must be one of tus, s3, folder, got "ftp"/],
    [['dest', 'add', 'x', '--kind', 'folder'], /--kind folder needs --path/],
    [['dest', 'add', 'x', '--kind', 'folder', '--path', 'nas', '--bucket', 'b'], /--bucket does not apply to --kind folder/],
    [['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'http://h/', '--secret-stdin', '--secret-file', 'key.txt'], /--secret-stdin or --secret-file, not both/],
    [['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'http://h/', '--secret-file', 'missing.txt'], /cannot read the secret from missing.txt: ENOENT/],
    [['dest', 'list', '--kind', 'tus'], /--kind belongs to `ferry dest add`/],
    [['dest', 'frob'], /"frob" is not one of list, add, test, remove/],
    [['dest', 'test'], /name the destination/],
    [['dest', 'remove', 'nowhere'], /no destination "nowhere" \(there are: /],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await cli(args as string[], '');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('refuses an empty secret on stdin, and an invalid endpoint with the instance\'s message', async () => {
    expect(await cli(['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'http://h/', '--secret-stdin'], '')).toMatchObject({ code: 2, stderr: expect.stringMatching(/the secret is empty \(nothing on stdin\)/) });
    const bad = await cli(['dest', 'add', 'x', '--kind', 'tus', '--endpoint', 'ftp://h/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/http:\/\/ or https:\/\//);
  });
});

describe('ferry download, command, verify', () => {
  let server: http.Server;
  let base: string;
  const body = Buffer.concat(Array.from({ length: 200 }, (_, i) => createHash('sha256').update(`chunk ${i}`).digest()));
  const sha = createHash('sha256').update(body).digest('hex');

  beforeAll(async () => {
    // Answers only with the credential that the headers file carries.
    server = http.createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer from-a-file') {
        res.writeHead(401).end('no');
        return;
      }
      res.writeHead(200, { 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('download takes its credentials from a headers file (or stdin), checks the SHA-256 and --wait exits by the result', async () => {
    writeFileSync(join(work, 'headers.txt'), '# the lab server\nAuthorization: Bearer from-a-file\n', { mode: 0o600 });
    const run = await cli(['download', `${base}/data.bin`, '--to', 'downloads/data.bin', '--sha256', sha, '--headers-file', 'headers.txt', '--wait']);
    expect(run.stderr).not.toMatch(/from-a-file/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Job (\d+) (queued|running): .*\n(.|\n)*Job \1 completed\n$/);
    expect(readFileSync(join(work, 'downloads', 'data.bin')).equals(body)).toBe(true);

    const fromStdin = await cli(['download', `${base}/data.bin`, '--to', 'downloads/wrong.bin', '--sha256', 'ab'.repeat(32), '--headers-file', '-', '--wait', '--json'], 'Authorization: Bearer from-a-file\n');
    // The bytes do not match the SHA-256 given: the job fails and so does the command.
    expect(fromStdin.code).toBe(1);
    const job = JSON.parse(fromStdin.stdout.slice(0, fromStdin.stdout.indexOf('\n}') + 2)) as JobView;
    expect(job).toMatchObject({ kind: 'download' });
    expect((await ferry.call<JobView>('getJob', { id: job.id })).state).toBe('failed');
  });

  it.each([
    [['download', 'http://h/x'], 2, /--to PATH \(where the file goes\) is required/],
    [['download', 'http://h/x', '--to', 'x', '--sha256', 'abc'], 2, /--sha256 must be 64 hex digits/],
    [['download', 'http://h/x', '--to', 'x', '--header', 'Cookie:a=b'], 2, /the Cookie header carries a credential.*--headers-file/],
    [['download', 'http://h/x', '--to', 'x', '--priority', 'urgent'], 2, /--priority must be one of high, normal, low/],
    [['download', 'file:///etc/passwd', '--to', 'x'], 2, /http:\/\/ or https:\/\//],
    [['command'], 2, /Usage: ferry command/],
    [['command', '--env', 'NOVALUE', '--', 'true'], 2, /--env "NOVALUE" is not NAME=VALUE/],
    [['command', '--timeout', '0', '--', 'true'], 2, /--timeout must be a whole number from 1 to 604800/],
    [['verify', 'abc'], 2, /"abc" is not a job id/],
    [['verify', '987654'], 4, /NOT_FOUND/],
  ])('refuses %j with exit %i', async (args, code, message) => {
    const run = await cli(args as string[]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('command runs a program as a job: --wait exits 0 when it succeeds and 1 when it fails', async () => {
    const ok = await cli(['command', '--name', 'say hello', '--env', 'GREETING=hello', '--wait', '--', process.execPath, '-e', 'console.log(process.env.GREETING + " from a job")']);
    expect(ok.code).toBe(0);
    const id = Number(/^Job (\d+) (queued|running): say hello\n/.exec(ok.stdout)?.[1]);
    expect(ok.stdout).toMatch(new RegExp(`Job ${id} completed\\n$`));
    expect((await cli(['logs', String(id)])).stdout).toContain('hello from a job');
    const bad = await cli(['command', '--wait', '--', process.execPath, '-e', 'process.exit(3)']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ferry: job \d+ failed/);
  });

  it('verify checks an upload at its destination; --wait exits 1 when a file differs', async () => {
    dataset('to-verify');
    const upload = await cli(['upload', 'to-verify', '--wait', '--json']);
    expect(upload.code).toBe(0);
    const uploadId = (JSON.parse(upload.stdout.slice(0, upload.stdout.indexOf('\n}') + 2)) as JobView).id;
    const good = await cli(['verify', String(uploadId), '--wait']);
    expect(good.code).toBe(0);
    const stored = join(dataDir, 'received', 'to-verify', 'f1.bin');
    const bytes = readFileSync(stored);
    bytes[3] = bytes[3]! ^ 0xff;
    writeFileSync(stored, bytes);
    const damaged = await cli(['verify', String(uploadId), '--wait']);
    expect(damaged.code).toBe(1);
  });
});

describe('ferry upload --plan and --incremental', () => {
  it('prints what the destination holds of a dataset sent before, then sends only the changed file', async () => {
    const dir = dataset('to-grow');
    expect((await cli(['upload', 'to-grow', '--wait'])).code).toBe(0);
    writeFileSync(join(dir, 'f1.bin'), 'rewritten');
    const plan = await cli(['upload', 'to-grow', '--plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^Plan for to-grow on .+: 0 new, 1 changed, 2 unchanged, 0 removed; 9 B to send\n/);
    expect(plan.stdout).toMatch(/\n {2}changed {4}f1\.bin {2}9 B {2}\(.+\)\n/);
    const sent = await cli(['upload', 'to-grow', '--incremental', '--wait']);
    expect(sent.code).toBe(0);
    expect(readFileSync(join(dataDir, 'received', 'to-grow', 'f1.bin'), 'utf8')).toBe('rewritten');
    expect((await cli(['upload', 'to-grow', '--plan'])).stdout).toMatch(/: 0 new, 0 changed, 3 unchanged, 0 removed; 0 B to send\n/);
    expect((await cli(['upload', 'to-grow', '--rehash'])).code).toBe(2);
  });
});

describe('ferry download from S3', () => {
  let s3: S3ServerHandle;

  beforeAll(async () => {
    s3 = await startS3Server(join(work, 's3-server'));
    await ferry.call('saveDestination', {
      name: 'lab bucket',
      kind: 's3',
      config: { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true },
      secret: { secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(() => s3?.close());

  it('<upload-id> --to DIR downloads an S3 upload\'s dataset back; s3://<destination>/<prefix> a prefix; --wait exits by the result', async () => {
    const source = dataset('to-s3', 4);
    const upload = await cli(['upload', 'to-s3', '--to', 'lab bucket', '--wait', '--json']);
    expect(upload.code, upload.stderr).toBe(0);
    const uploadId = (JSON.parse(upload.stdout.slice(0, upload.stdout.indexOf('\n}') + 2)) as JobView).id;
    const back = await cli(['download', String(uploadId), '--to', 'back', '--wait']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^Job (\d+) (queued|running): Download to-s3\n(.|\n)*Job \1 completed\n$/);
    for (let i = 0; i < 4; i++) expect(readFileSync(join(work, 'back', `f${i}.bin`)).equals(readFileSync(join(source, `f${i}.bin`)))).toBe(true);
    expect(existsSync(join(work, 'back', 'manifest-sha256.txt'))).toBe(true);

    const prefix = await cli(['download', 's3://LAB BUCKET/to-s3/', '--to', 'prefix', '--wait', '--json']);
    expect(prefix.code, prefix.stderr).toBe(0);
    expect(JSON.parse(prefix.stdout.slice(0, prefix.stdout.indexOf('\n}') + 2))).toMatchObject({ kind: 's3download' });
    expect(readFileSync(join(work, 'prefix', 'f2.bin')).equals(readFileSync(join(source, 'f2.bin')))).toBe(true);
  });

  it.each([
    [['download', 's3://no such bucket/x', '--to', 'nowhere'], 2, /no destination "no such bucket"/],
    [['download', 's3:///x', '--to', 'nowhere'], 2, /write s3:\/\/<destination name>\/<prefix>/],
    [['download', 's3://lab bucket/x', '--to', 'nowhere', '--sha256', 'ab'.repeat(32)], 2, /apply to a URL/],
    [['download', 's3://lab bucket/x', '--to', 'back'], 4, /CONFLICT: .*already holds files/],
    [['download', '987654', '--to', 'nowhere'], 4, /NOT_FOUND/],
  ])('refuses %j with exit %i', async (args, code, message) => {
    const run = await cli(args as string[]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});

describe('ferry delete, priority, search, stats', () => {
  it('delete --files removes the job and what it uploaded; a running job is refused with exit 4', async () => {
    dataset('to-delete');
    const upload = await cli(['upload', 'to-delete', '--wait', '--json']);
    const id = (JSON.parse(upload.stdout.slice(0, upload.stdout.indexOf('\n}') + 2)) as JobView).id;
    expect(existsSync(join(dataDir, 'received', 'to-delete', 'f0.bin'))).toBe(true);
    const run = await cli(['delete', String(id), '--files']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^Job ${id} deleted; \\d+ uploaded file`)) });
    expect(existsSync(join(dataDir, 'received', 'to-delete', 'f0.bin'))).toBe(false);
    expect((await cli(['delete', String(id)])).code).toBe(4);

    const running = await demo(100_000, 1000);
    await waitUntil('running', async () => (await ferry.call<JobView>('getJob', { id: running.id })).state === 'running');
    const refused = await cli(['delete', String(running.id)]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^ferry: CONFLICT: /);
    expect((await cli(['delete', 'x1'])).code).toBe(2);
    await ferry.call('cancelJob', { id: running.id });
  });

  it('priority changes a queued job; bad levels and ids are usage errors', async () => {
    const job = await demo(100_000, 1000, 'priority target');
    const run = await cli(['priority', String(job.id), 'high']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^Job ${job.id} \\(\\w+\\): priority high\\n$`)) });
    expect((await ferry.call<JobView>('getJob', { id: job.id })).priority).toBe('high');
    expect(await cli(['priority', String(job.id), 'urgent'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/the priority must be one of high, normal, low, got "urgent"/) });
    expect(await cli(['priority', String(job.id)])).toMatchObject({ code: 2, stderr: expect.stringMatching(/expected 2 arguments, got 1/) });
    expect(await cli(['priority', '987654', 'low'])).toMatchObject({ code: 4, stderr: expect.stringMatching(/NOT_FOUND/) });
    await ferry.call('cancelJob', { id: job.id });
  });

  it('search finds a job by name, as a table or JSON', async () => {
    const job = await demo(1, 0, 'spectrometer calibration 0423');
    await ended(job.id);
    const found = await waitUntil('indexed', async () => {
      const run = await cli(['search', 'spectrometer']);
      return run.stdout.includes(String(job.id)) ? run : undefined;
    });
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^\s*JOB\s+STATE\s+FOUND IN\s+TEXT\n/);
    expect(found.stdout).toMatch(new RegExp(`^\\s*${job.id}\\s+completed\\s+name\\s+spectrometer calibration 0423$`, 'm'));
    const json = JSON.parse((await cli(['search', 'spectrometer', '--json'])).stdout) as { hits: SearchHit[] };
    expect(json.hits.map((h) => h.jobId)).toContain(job.id);
    expect((await cli(['search', 'zzqqxx'])).stdout).toBe('No matches.\n');
    expect((await cli(['search', 'x', '--limit', '0'])).code).toBe(2);
    expect((await cli(['search'])).code).toBe(2);
  });

  it('stats prints the window\'s figures, or JSON; bad dates are usage errors', async () => {
    const text = await cli(['stats']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^From \S+Z to \S+Z\nFinished: +\d+ jobs?/);
    expect(text.stdout).toMatch(/^Success rate: /m);
    const json = JSON.parse((await cli(['stats', '--json', '--from', '2020-01-01'])).stdout) as JobStats;
    expect(json.from).toBe(Date.parse('2020-01-01'));
    expect(json.finished).toBeGreaterThan(0);
    expect(await cli(['stats', '--from', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/"yesterday" is not a date/) });
    expect(await cli(['stats', '--from', '2026-02-01', '--to', '2026-01-01'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from must be before --to/) });
  });

  it('jobs --json is one JSON document', async () => {
    const page = JSON.parse((await cli(['jobs', '--json', '--limit', '3'])).stdout) as JobPage;
    expect(page.jobs).toHaveLength(3);
  });
});

describe('ferry events', () => {
  it("prints a job's events, as lines or JSON lines, filtered by type", async () => {
    const job = await demo(3, 0, 'three items');
    await ended(job.id);
    const polled = (await ferry.call<{ events: JobEvent[] }>('listEvents', { id: job.id })).events;
    const lines = await cli(['events', String(job.id)]);
    expect(lines.code).toBe(0);
    expect(lines.stdout.trimEnd().split('\n')).toHaveLength(polled.length);
    expect(lines.stdout).toMatch(new RegExp(`^\\S+Z  #${job.id}  completed  `, 'm'));
    const json = (await cli(['events', String(job.id), '--json'])).stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as JobEvent & { jobId: number });
    expect(json.map((e) => e.seq)).toEqual(polled.map((e) => e.seq));
    expect(json.every((e) => e.jobId === job.id)).toBe(true);
    const only = (await cli(['events', String(job.id), '--types', 'created,completed', '--json'])).stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as JobEvent).type);
    expect(only).toEqual(['created', 'completed']);
  });

  it('-f <id> follows a job until it ends and exits by its result', async () => {
    const job = await demo(5, 30);
    const run = await cli(['events', '-f', String(job.id), '--json']);
    expect(run.code).toBe(0);
    const seen = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as JobEvent);
    expect(seen.map((e) => e.seq)).toEqual((await ferry.call<{ events: JobEvent[] }>('listEvents', { id: job.id })).events.map((e) => e.seq));
    expect(seen[seen.length - 1]!.type).toBe('completed');

    const long = await demo(100_000, 1000);
    const follow = startCli(dataDir, ['events', '-f', String(long.id)], { cwd: work });
    await follow.stdout.waitFor(/ started /);
    await ferry.call('cancelJob', { id: long.id });
    expect(await follow.code).toBe(1);
    expect(follow.stderr.text).toMatch(new RegExp(`ferry: job ${long.id} canceled`));
  });

  it('logs -f follows a log across a kill -9 and restart of ferry serve, every byte once', async () => {
    const job = await demo(60, 60, 'log across a crash');
    const follow = startCli(dataDir, ['logs', '-f', String(job.id)], { cwd: work });
    await follow.stdout.waitFor(/Processing 'item_0*3'/);
    await ferry.kill9();
    // The instance comes back on another port with another token; the job is recovered and runs on.
    ferry = await startServedFerry(dataDir, ['--allow-command-jobs']);
    const code = await follow.code;
    expect(follow.stderr.text).toBe('');
    expect(code).toBe(0);
    const res = await fetch(new URL(`/api/v1/jobs/${job.id}/log`, ferry.url), { headers: { Authorization: `Bearer ${ferry.token}` } });
    expect(follow.stdout.text).toBe(await res.text());
    expect(follow.stdout.text).toContain('"result": "success"');
  });

  it('-f without an id follows every job until stopped, across a restart of ferry serve', async () => {
    const controller = new AbortController();
    const follow = startCli(dataDir, ['events', '-f', '--json', '--types', 'created,priority,completed'], { cwd: work, signal: controller.signal });
    // From now: a job made once the follow is connected shows up, whatever job it is.
    let a = await demo(1, 0, 'feed a');
    await waitUntil('the follow to see a new job', async () => {
      if (follow.stdout.text.includes(`"jobId":${a.id},`)) return true;
      if ((await ferry.call<JobView>('getJob', { id: a.id })).state === 'completed') a = await demo(1, 0, 'feed a');
      return false;
    });
    await follow.stdout.waitFor(new RegExp(`"jobId":${a.id},[^\\n]*"type":"completed"`));
    // The instance restarts on another port with another token: the follow finds it again
    // through instance.json and goes on from its last event.
    await ferry.stop();
    ferry = await startServedFerry(dataDir, ['--allow-command-jobs']);
    const b = await demo(3, 300, 'feed b');
    await ferry.call('setPriority', { id: b.id, priority: 'low' });
    await follow.stdout.waitFor(new RegExp(`"jobId":${b.id},[^\\n]*"type":"completed"`));
    controller.abort();
    expect(await follow.code).toBe(0);
    expect(follow.stderr.text).toBe('');
    const events = follow.stdout.text.trimEnd().split('\n').map((l) => JSON.parse(l) as FeedEvent);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['created', 'priority', 'completed']));
    const gids = events.map((e) => e.gid);
    expect([...new Set(gids)].sort((x, y) => x - y), 'each event once, in order').toEqual(gids);
    expect(events.filter((e) => e.jobId === b.id).map((e) => e.type)).toEqual(['created', 'priority', 'completed']);
  });

  it('Ctrl-C ends `ferry events -f` cleanly with exit 0 (the built bundle, a real SIGINT)', async (ctx) => {
    if (!existsSync(BUNDLE)) {
      console.warn(`skipped: ${BUNDLE} is not built (run \`node scripts/build.mjs\`)`);
      ctx.skip();
    }
    const child = spawn(process.execPath, [BUNDLE, 'events', '-f', '--since', '0', '--types', 'created', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    // From the first event id: every job's `created` comes at once, then the follow waits.
    await new Promise<void>((resolveOut) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('  #1  created')) resolveOut();
      });
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });

  it.each([
    [['events'], /name a job, or follow every job with -f/],
    [['events', '1', '--types', 'explosion'], /--types explosion is not one of/],
    [['events', '-f', '--since', 'yesterday'], /--since must be an event id/],
    [['events', 'abc'], /"abc" is not a job id/],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await cli(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('-f for a job that does not exist exits 4 with NOT_FOUND', async () => {
    expect(await cli(['events', '-f', '987654'])).toMatchObject({ code: 4, stderr: expect.stringMatching(/^ferry: NOT_FOUND: /) });
  });
});

describe('ferry help', () => {
  it('lists every command and shows each one\'s usage', async () => {
    const help = await cli(['help']);
    for (const c of ['dest', 'download', 'command', 'verify', 'delete', 'priority', 'search', 'stats', 'events']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(help.stdout).toMatch(/or a destination test failed, 2 usage error, 3 no running instance, 4 server error/);
    const dest = await cli(['help', 'dest']);
    expect(dest.stdout).toMatch(/^Usage: ferry dest list \[--json\]\n {7}ferry dest add <name> --kind tus/);
    expect((await cli(['dest', '--help'])).stdout).toBe(dest.stdout);
  });
});

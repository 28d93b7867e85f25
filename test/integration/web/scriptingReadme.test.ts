/**
 * The README's "Scripting Ferry" examples, run as written (bash with curl, python3 with its
 * standard library) against the shipped web host in a fresh data directory.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { makeTmpDir } from '../../helpers/tmpDir';

/** The fenced blocks of one language in the README's "Scripting Ferry" section. */
function readmeBlocks(language: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Scripting Ferry'), readme.indexOf('\n## ', readme.indexOf('## Scripting Ferry') + 3));
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

let ferry: ServedFerry;
const CLI_BUNDLE = resolve('out/main/cli.js');

/** Waits for a job to reach a final state, on the instance's own answers. */
function ended(id: number): Promise<JobView> {
  return waitUntil(`job ${id} to end`, async () => {
    const view = await ferry.call<JobView>('getJob', { id });
    return ['failed', 'completed', 'canceled'].includes(view.state) ? view : undefined;
  });
}
let dataDir: string;
let work: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const data = makeTmpDir('ferry-script-data-');
  const cwd = makeTmpDir('ferry-script-cwd-');
  cleanups.push(data.cleanup, cwd.cleanup);
  dataDir = data.dir;
  work = cwd.dir;
  ferry = await startServedFerry(dataDir);
});

afterAll(async () => {
  await ferry?.stop();
  for (const c of cleanups) await c();
});

describe('README: Scripting Ferry', () => {
  it('the curl example uploads ./dataset, follows its log to the end and shows the job', async () => {
    const [script] = readmeBlocks('sh');
    expect(script).toBeDefined();
    mkdirSync(join(work, 'dataset', 'run1'), { recursive: true });
    const files = ['a.bin', 'run1/b.bin'].map((name, i) => {
      const bytes = createHash('sha512').update(`file ${i}`).digest();
      writeFileSync(join(work, 'dataset', name), Buffer.concat(Array.from({ length: 64 }, (_, k) => Buffer.concat([bytes, Buffer.from(String(k))]))));
      return name;
    });
    const { code, out, err } = await run('bash', ['-euo', 'pipefail', '-c', script!], work, { FERRY_DATA_DIR: dataDir });
    expect(err).toBe('');
    expect(code).toBe(0);
    // The followed log ran to its footer, then the job itself was printed.
    const job = JSON.parse(out.slice(out.lastIndexOf('\n{') + 1)) as JobView;
    expect(job.state).toBe('completed');
    expect(out).toContain(readFileSync(join(dataDir, 'jobs', String(job.id), 'job.log'), 'utf8'));
    for (const name of files) expect(out).toContain(name);
  });

  it('the CLI example saves a folder destination, uploads there, waits on its events and verifies it', async (ctx) => {
    const [script] = readmeBlocks('bash');
    expect(script).toBeDefined();
    if (!existsSync(CLI_BUNDLE)) {
      console.warn(`skipped: ${CLI_BUNDLE} is not built (run \`node scripts/build.mjs\`)`);
      ctx.skip();
    }
    // `ferry` on the PATH, as an installed one would be.
    const cwd = makeTmpDir('ferry-script-cli-');
    cleanups.push(cwd.cleanup);
    mkdirSync(join(cwd.dir, 'bin'));
    writeFileSync(join(cwd.dir, 'bin', 'ferry'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BUNDLE}" "$@"\n`, { mode: 0o755 });
    mkdirSync(join(cwd.dir, 'dataset'));
    for (let i = 0; i < 3; i++) writeFileSync(join(cwd.dir, 'dataset', `scan-${i}.tif`), createHash('sha512').update(`scan ${i}`).digest());
    const { code, out, err } = await run('bash', ['-euo', 'pipefail', '-c', script!], cwd.dir, { FERRY_DATA_DIR: dataDir, PATH: `${join(cwd.dir, 'bin')}:${process.env.PATH}` });
    expect({ code, err }).toMatchObject({ code: 0 });
    expect(out).toMatch(/^Destination Lab NAS \[\S+\] added: /);
    // The files landed in the folder, the events line said so, and the listing counted the job.
    for (let i = 0; i < 3; i++) expect(readFileSync(join(cwd.dir, 'nas', 'dataset', `scan-${i}.tif`)).equals(readFileSync(join(cwd.dir, 'dataset', `scan-${i}.tif`)))).toBe(true);
    expect(out).toMatch(/  #\d+  completed  /);
    expect(out).toMatch(/^\d+ completed\n$/m);
  });

  it('the Python example retries a failed job and reports how its new attempt ended', async () => {
    const [script] = readmeBlocks('python');
    expect(script).toBeDefined();
    // A verify job that fails for a real reason: a byte of the dataset was damaged at the destination.
    mkdirSync(join(work, 'pydata'), { recursive: true });
    writeFileSync(join(work, 'pydata', 'a.bin'), Buffer.concat(Array.from({ length: 256 }, (_, k) => createHash('sha256').update(`block ${k}`).digest())));
    const upload = await ferry.call<JobView>('createUpload', { paths: [join(work, 'pydata')] });
    expect((await ended(upload.id)).state).toBe('completed');
    const stored = join(dataDir, 'received', 'pydata', 'a.bin');
    const bytes = readFileSync(stored);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(stored, bytes);
    const job = await ferry.call<JobView>('createVerifyJob', { sourceJobId: upload.id });
    const failed = await ended(job.id);
    expect(failed.state).toBe('failed');
    const { code, out, err } = await run('python3', ['-c', script!], work, { FERRY_DATA_DIR: dataDir });
    expect(err).toBe('');
    expect(code).toBe(0);
    // Its new attempt fails again (the damage is still there): the script saw that end, not the old one.
    expect(out.trim()).toBe(`${job.id} failed`);
    const after = await ferry.call<JobView>('getJob', { id: job.id });
    expect(after.state).toBe('failed');
    expect(after.attempts).toBeGreaterThan(failed.attempts);
  });
});

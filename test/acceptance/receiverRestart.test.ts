/**
 * Defect 3: the default destination resumes after a kill -9. `ferry serve` runs as shipped with
 * default settings; the upload goes to the built-in receiver, the process is killed mid-file and
 * started again on the same data directory. The bytes are read back from the receiver's storage.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReceiverView } from '../../shared/contract';
import type { JobView } from '../../shared/model';
import { writeSeededFile } from '../helpers/seededRandom';
import { startServedFerry, waitUntil, type ServedFerry } from '../helpers/servedFerry';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';

const FILE_BYTES = 96 * 1024 * 1024;
/** Slow enough that the kill lands mid-file on any machine; lifted after the restart. */
const THROTTLE = 8 * 1024 * 1024;

const sha256File = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });

/** The byte count the job log gives for where the file's upload picked up (`resumed at 24.1 MB`). */
function resumedAt(log: string, file: string): number | undefined {
  const m = new RegExp(`OK +${file} .*resumed at ([\\d.]+) (B|kB|MB|GB)`).exec(log);
  if (!m) return undefined;
  return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B']!;
}

describe('the built-in receiver after kill -9 (ferry serve, default settings)', () => {
  let tmp: TmpDir;
  let running: ServedFerry | undefined;
  let source: string;
  let sourceSha: string;
  beforeEach(async () => {
    tmp = makeTmpDir('ferry-accept-restart');
    mkdirSync(join(tmp.dir, 'src'));
    source = join(tmp.dir, 'src', 'scan.bin');
    writeSeededFile(source, FILE_BYTES, 3);
    sourceSha = await sha256File(source);
  });
  afterEach(async () => {
    await running?.kill9();
    await tmp.cleanup();
  });

  /** Starts an upload of the source to the default destination and kills the process mid-file. */
  async function uploadAndKill(dataDir: string): Promise<{ job: JobView; receiver: ReceiverView }> {
    running = await startServedFerry(dataDir);
    await running.call('updateSettings', { bandwidthLimit: THROTTLE });
    const receiver = await running.call<ReceiverView>('getReceiver');
    expect(receiver.running).toBe(true);
    const job = await running.call<JobView>('createUpload', { paths: [join(tmp.dir, 'src')], name: 'restart-set' });
    const served = running;
    await waitUntil('a quarter of the file sent', async () => {
      const j = await served.call<JobView>('getJob', { id: job.id });
      expect(j.state, `the job ended before the kill: ${j.error}`).toBe('running');
      return j.done >= FILE_BYTES / 4;
    });
    await running.kill9();
    running = undefined;
    return { job, receiver };
  }

  async function finishAfterRestart(dataDir: string, jobId: number): Promise<void> {
    running = await startServedFerry(dataDir);
    await running.call('updateSettings', { bandwidthLimit: 0 });
    const served = running;
    const done = await waitUntil('the job to end', async () => {
      const j = await served.call<JobView>('getJob', { id: jobId });
      return j.state === 'completed' || j.state === 'failed' || j.state === 'canceled' ? j : undefined;
    });
    const log = readFileSync(join(dataDir, 'jobs', String(jobId), 'job.log'), 'utf8');
    expect(done.state, `job ${jobId} ${done.state}: ${done.error}\n${log}`).toBe('completed');
    // It picked up where the receiver had the file, not at 0.
    expect(resumedAt(log, 'scan.bin'), log).toBeGreaterThan(FILE_BYTES / 8);
    const landed = join(dataDir, 'received', 'restart-set', 'scan.bin');
    expect(await sha256File(landed)).toBe(sourceSha);
  }

  it('keeps its port, so the job resumes where it was and lands byte for byte', async () => {
    const dataDir = join(tmp.dir, 'data');
    const { job, receiver } = await uploadAndKill(dataDir);
    await finishAfterRestart(dataDir, job.id);
    expect((await running!.call<ReceiverView>('getReceiver')).port).toBe(receiver.port);
  }, 180_000);

  it('moves to a new port when the old one is taken, and the saved upload follows it', async () => {
    const dataDir = join(tmp.dir, 'data');
    const { job, receiver } = await uploadAndKill(dataDir);
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(receiver.port!, '127.0.0.1', resolve));
    try {
      await finishAfterRestart(dataDir, job.id);
      const now = await running!.call<ReceiverView>('getReceiver');
      expect(now.running).toBe(true);
      expect(now.port).not.toBe(receiver.port);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 180_000);
});

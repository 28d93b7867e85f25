import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startReceiver, type Receiver, type ReceiverOptions } from '../../../main/receiver/receiver';
import type { ReceiverLogger } from '../../../main/receiver/receiverLogger';
import { makeTmpDir } from '../../helpers/tmpDir';

/** A receiver on a random port with its own storage dir and a scratch dir for source files. */
export interface ReceiverFixture {
  storageDir: string;
  /** Where tests write the files they upload (outside the storage tree). */
  srcDir: string;
  receiver: Receiver;
  /** Every line the receiver logged, as `level: message`. */
  logs: string[];
  /** Closes the receiver and starts a new one on the same storage dir (new port). */
  restart(overrides?: Partial<ReceiverOptions>): Promise<Receiver>;
  dispose(): Promise<void>;
}

export function collectingLogger(lines: string[]): ReceiverLogger {
  return {
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

export async function startReceiverFixture(opts: Partial<ReceiverOptions> = {}): Promise<ReceiverFixture> {
  const tmp = makeTmpDir('ferry-receiver-');
  const storageDir = opts.storageDir ?? path.join(tmp.dir, 'storage');
  const srcDir = path.join(tmp.dir, 'src');
  await fsp.mkdir(srcDir, { recursive: true });
  const logs: string[] = [];
  const base = { logger: collectingLogger(logs), ...opts, storageDir };
  const fixture: ReceiverFixture = {
    storageDir,
    srcDir,
    logs,
    receiver: await startReceiver(base),
    async restart(overrides = {}) {
      await fixture.receiver.close();
      fixture.receiver = await startReceiver({ ...base, ...overrides });
      return fixture.receiver;
    },
    async dispose() {
      await fixture.receiver.close();
      await tmp.cleanup();
    },
  };
  return fixture;
}

/** Writes `size` random bytes to srcDir/name and resolves its path and SHA-256. */
export async function writeRandomFile(dir: string, name: string, size: number): Promise<{ file: string; sha256: string }> {
  const file = path.join(dir, name);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const data = randomBytes(size);
  await fsp.writeFile(file, data);
  return { file, sha256: sha256(data) };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256OfFile(file: string): Promise<string> {
  return sha256(await fsp.readFile(file));
}

/** Files of the final tree (relative, "/"-separated, sorted), leaving out the `.incoming` area. */
export async function finalTree(storageDir: string): Promise<string[]> {
  const entries = await fsp.readdir(storageDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(storageDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((p) => !p.startsWith('.incoming/'))
    .sort();
}

/** Names in `.incoming` (data files and their JSON records). */
export async function incomingNames(storageDir: string): Promise<string[]> {
  return (await fsp.readdir(path.join(storageDir, '.incoming'))).sort();
}

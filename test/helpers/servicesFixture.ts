import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServices, type FerryServices } from '../../main/hosts/bootstrap';
import type { EngineOptions } from '../../main/engine/engine';

/** Engine and built-in receiver in a fresh data directory, as a host starts them. */
export async function startFerryServices(options: Partial<EngineOptions> = {}): Promise<FerryServices & { dataDir: string; dispose(): Promise<void> }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-services-'));
  const services = await startServices({ ...options, dataDir });
  return {
    ...services,
    dataDir,
    dispose: async () => {
      await services.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Writes a dataset of random files: `{ 'a/b.bin': 1000, ... }` → folder path. */
export function makeDataset(files: Record<string, number>, root = mkdtempSync(join(tmpdir(), 'ferry-dataset-'))): string {
  for (const [rel, size] of Object.entries(files)) {
    const full = join(root, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, randomBytes(size));
  }
  return root;
}

/**
 * Files mode: each new or changed file waits until it is stable, stable files are collected for a
 * short window, and each window becomes upload jobs, one per folder the files are in (a job's
 * files keep only their names, so two `a.tif` from different folders cannot share one).
 */
import { basename, dirname } from 'node:path';
import { FileBatcher } from './fileBatcher';
import type { FileSig } from './fileIndex';
import { MAX_JOB_FILES, type Pipeline, type PipelineHost } from './pipeline';
import { StabilityTracker } from './stability';

export class FilesPipeline implements Pipeline {
  private readonly stability: StabilityTracker;
  private readonly batcher: FileBatcher;
  private submitting = 0;

  constructor(private readonly host: PipelineHost) {
    this.stability = new StabilityTracker(host.rule.stabilityMs, (path, sig) => this.onStable(path, sig));
    this.batcher = new FileBatcher(host.rule.batchMs, MAX_JOB_FILES, (files) => void this.send(files));
  }

  get waiting(): number {
    return this.stability.size + this.batcher.size + this.submitting;
  }

  offer(path: string, sig: FileSig): void {
    this.batcher.remove(path);
    this.stability.track(path, sig);
    this.host.changed();
  }

  gone(path: string): void {
    this.stability.forget(path);
    this.batcher.remove(path);
    this.host.changed();
  }

  stop(): void {
    this.stability.stop();
    this.batcher.stop();
  }

  private onStable(path: string, sig: FileSig): void {
    // Another job may have taken this very version while it settled (a restart's scan).
    if (this.host.ledger.isCurrent(this.host.rule.id, path, sig)) return;
    this.batcher.add(path, sig);
    this.host.changed();
  }

  private async send(files: Map<string, FileSig>): Promise<void> {
    const byFolder = new Map<string, { path: string; sig: FileSig }[]>();
    for (const [path, sig] of files) {
      const dir = dirname(path);
      let group = byFolder.get(dir);
      if (!group) byFolder.set(dir, (group = []));
      group.push({ path, sig });
    }
    this.submitting += files.size;
    try {
      for (const [dir, group] of [...byFolder].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        group.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        for (let i = 0; i < group.length; i += MAX_JOB_FILES) {
          const chunk = group.slice(i, i + MAX_JOB_FILES);
          try {
            await this.host.submit({
              paths: chunk.map((f) => f.path),
              // A file keeps its place below the watched folder: <root>/a/b/c.tif lands at a/b/c.tif.
              base: this.host.rule.path,
              files: chunk,
              folder: basename(dir),
              file: basename(chunk[0]!.path),
            });
          } catch (err) {
            this.host.report(err);
          }
        }
      }
    } finally {
      this.submitting -= files.size;
      this.host.changed();
    }
  }
}

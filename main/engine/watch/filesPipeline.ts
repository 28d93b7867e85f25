/**
 * Files mode: each new or changed file waits until it is stable, stable files are collected for a
 * short window, and each window becomes one upload job. Every file keeps its place below the
 * watched folder (`<watched>/a/b/c.tif` lands at `a/b/c.tif` in the dataset), so files from
 * several folders share a job and the destination mirrors the watched folder.
 */
import { basename } from 'node:path';
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
    const root = this.host.rule.path;
    const sorted = [...files].map(([path, sig]) => ({ path, sig })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.submitting += files.size;
    try {
      for (let i = 0; i < sorted.length; i += MAX_JOB_FILES) {
        const chunk = sorted.slice(i, i + MAX_JOB_FILES);
        try {
          await this.host.submit({ paths: chunk.map((f) => f.path), base: root, files: chunk, folder: basename(root), file: basename(chunk[0]!.path) });
        } catch (err) {
          this.host.report(err);
        }
      }
    } finally {
      this.submitting -= files.size;
      this.host.changed();
    }
  }
}

/**
 * Dataset mode: every top-level folder is a dataset. A change anywhere in it starts its quiet
 * period over; once the period passes (or the marker file appears directly in it) the folder is
 * read again and, if anything in it is new or changed since the ledger last saw it, becomes one
 * upload job. The job carries the files the rule takes (its includes and excludes apply inside the
 * dataset too), each at its place below the dataset folder; the marker only when an include
 * pattern names it (ruleFilter.markerSender). Files at the top level, outside any folder, are not
 * datasets.
 */
import { basename, join } from 'node:path';
import type { FileSig } from './fileIndex';
import { MAX_JOB_FILES, type Pipeline, type PipelineHost } from './pipeline';
import { QuietTracker, type QuietReason } from './quietTracker';
import { markerSender } from './ruleFilter';
import { toRel, walkTree, type ListedFile } from './treeWalk';

/** Modification times further ahead than this are a skewed server clock, not recent writes. */
const CLOCK_SKEW_MS = 60_000;

export class DatasetPipeline implements Pipeline {
  private readonly quiet: QuietTracker;
  private readonly busy = new Set<string>();
  /** Files seen while their folder was being sent: looked at again once it is. */
  private readonly again = new Map<string, Map<string, FileSig>>();
  private stopped = false;
  private readonly markerSent: (rel: string) => boolean;

  constructor(private readonly host: PipelineHost) {
    this.quiet = new QuietTracker(host.rule.datasetQuietMs, (folder, reason) => void this.ready(folder, reason));
    this.markerSent = markerSender(host.rule);
  }

  get waiting(): number {
    return this.quiet.size + this.busy.size;
  }

  offer(path: string, sig: FileSig): void {
    const top = this.topFolder(path);
    if (!top) return;
    if (this.busy.has(top.folder)) {
      let files = this.again.get(top.folder);
      if (!files) this.again.set(top.folder, (files = new Map()));
      files.set(path, sig);
    } else if (top.rest === this.host.rule.markerFile) this.quiet.now(top.folder);
    else this.quiet.touch(top.folder);
    this.host.changed();
  }

  gone(path: string): void {
    // A file removed from a folder still being written is activity too.
    const top = this.topFolder(path);
    if (top && this.quiet.has(top.folder)) this.quiet.touch(top.folder);
  }

  stop(): void {
    this.stopped = true;
    this.quiet.stop();
  }

  private topFolder(path: string): { folder: string; rest: string } | undefined {
    const rel = toRel(this.host.rule.path, path);
    const slash = rel.indexOf('/');
    if (slash <= 0 || rel.startsWith('..')) return undefined;
    return { folder: join(this.host.rule.path, rel.slice(0, slash)), rest: rel.slice(slash + 1) };
  }

  /** Whether the dataset job sends this file the rule's filter took: all but an unnamed marker. */
  private sends(folder: string, path: string): boolean {
    const { markerFile, path: root } = this.host.rule;
    return markerFile === null || toRel(folder, path) !== markerFile || this.markerSent(toRel(root, path));
  }

  private async ready(folder: string, reason: QuietReason): Promise<void> {
    if (this.stopped) return;
    this.busy.add(folder);
    this.host.changed();
    try {
      const files: ListedFile[] = [];
      try {
        await walkTree(this.host.rule.path, this.host.filter, (f) => this.sends(folder, f.path) && files.push(f), { from: folder, stopped: () => this.stopped });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // the folder went away
        throw err;
      }
      if (this.stopped || files.length === 0) return;
      if (reason === 'quiet') {
        // Events can lag (polling sees changes only at its next walk): the files' own times decide.
        const now = Date.now();
        let newest = 0;
        for (const f of files) if (f.sig.mtimeMs > newest && f.sig.mtimeMs <= now + CLOCK_SKEW_MS) newest = f.sig.mtimeMs;
        const left = newest + this.host.rule.datasetQuietMs - now;
        if (left > 0) {
          this.quiet.touch(folder, left);
          return;
        }
      }
      const { rule, ledger } = this.host;
      if (files.every((f) => ledger.isCurrent(rule.id, f.path, f.sig))) return;
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const names = { folder: basename(folder), file: basename(files[0]!.path) };
      if (files.length <= MAX_JOB_FILES) {
        await this.host.submit({ paths: files.map((f) => f.path), base: folder, files, ...names });
      } else {
        // More files than one job may list: the job takes the folder and the rule's patterns, and
        // its scan takes what the walk above took.
        await this.host.submit({ paths: [folder], files, filtered: true, ...names });
      }
    } catch (err) {
      this.host.report(err);
    } finally {
      this.busy.delete(folder);
      // Most of what arrived meanwhile is what was just sent; only something newer starts a wait.
      const seen = this.again.get(folder);
      this.again.delete(folder);
      const { rule, ledger } = this.host;
      const newer = [...(seen ?? [])].some(([path, sig]) => this.sends(folder, path) && !ledger.isCurrent(rule.id, path, sig));
      if (newer && !this.stopped) this.quiet.touch(folder);
      this.host.changed();
    }
  }
}

import { existsSync } from 'node:fs';
import type { CommandParsed, PlannedFile, UploadPlan } from '../../../shared/contract';
import { PLAN_LIST_CAP } from '../../../shared/contract';
import { invalidInput } from '../../../shared/errors';
import { reservedNameProblem, storedPathProblem } from '../../../shared/storedPath';
import type { SentRecord } from '../db/sentRecordsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { localPath } from '../files/pathGuard';
import { datasetNameFor, scanInBatches } from '../files/scan';
import { judgeFile } from './fileVerdict';
import { readHeldDataset } from './heldDataset';

export interface UploadPlannerDeps {
  destinations: DestinationService;
  receiverDir: () => string | undefined;
  lastSent: (destinationId: string, dataset: string) => Map<string, SentRecord>;
}

/** The order files are listed in: what will change first. */
const ORDER: Record<PlannedFile['change'], number> = { removed: 0, changed: 1, new: 2, unchanged: 3 };

/**
 * The planUpload command: scans the local files as an upload would and compares each with what
 * the destination holds of the dataset, by the same rules an incremental upload job applies
 * (fileVerdict.ts), without sending anything.
 */
export class UploadPlanner {
  constructor(private readonly deps: UploadPlannerDeps) {}

  async plan(input: CommandParsed<'planUpload'>, signal: AbortSignal = new AbortController().signal): Promise<UploadPlan> {
    const op = 'planUpload';
    const paths = input.paths.map((p) => localPath(op, p));
    for (const p of paths) if (!existsSync(p)) throw invalidInput(`${op}: ${p} does not exist`, { path: p });
    const base = input.base === undefined ? undefined : localPath(op, input.base);
    const dataset = input.name ?? datasetNameFor(paths);
    const nameProblem = /[/\\]|^\.\.?$/.test(dataset) ? 'cannot contain slashes' : (storedPathProblem(dataset, process.platform) ?? reservedNameProblem(dataset));
    if (nameProblem) throw invalidInput(`${op}: the dataset name ${JSON.stringify(dataset)} ${nameProblem}`);
    const destinationId = this.deps.destinations.resolveId(input.destinationId);
    const dest = this.deps.destinations.resolve(destinationId);
    const protocol = dest.kind === 's3' ? this.deps.destinations.protocol(destinationId) : undefined;
    const plan: UploadPlan = {
      dataset,
      destinationId,
      destination: dest.name,
      readable: false,
      found: false,
      why: null,
      counts: { new: 0, changed: 0, unchanged: 0, removed: 0 },
      bytesToSend: 0,
      bytesUnchanged: 0,
      files: [],
      truncated: false,
    };
    // Every file is judged; the list keeps the ones that change before unchanged ones, up to the cap.
    const listed: PlannedFile[] = [];
    const list = (f: PlannedFile) => {
      listed.push(f);
      if (listed.length > PLAN_LIST_CAP * 2) trim();
    };
    const trim = () => {
      listed.sort((a, b) => ORDER[a.change] - ORDER[b.change] || (a.path < b.path ? -1 : 1));
      if (listed.length > PLAN_LIST_CAP) {
        listed.length = PLAN_LIST_CAP;
        plan.truncated = true;
      }
    };
    try {
      const held = await readHeldDataset(dest, protocol, dataset, this.deps.receiverDir(), signal);
      const records = held.readable && !input.rehash ? this.deps.lastSent(destinationId, dataset) : new Map<string, SentRecord>();
      if (held.readable) {
        plan.readable = true;
        plan.found = held.found;
      } else {
        plan.why = held.why;
      }
      const gone = held.readable ? new Map(held.files) : new Map<string, string>();
      await scanInBatches(paths, { ...(base !== undefined ? { base } : {}), signal }, async (files) => {
        for (const f of files) {
          gone.delete(f.relativePath);
          const verdict = held.readable ? await judgeFile(f, held, records, input.rehash === true, signal) : { kind: 'new' as const };
          plan.counts[verdict.kind]++;
          if (verdict.kind === 'unchanged') plan.bytesUnchanged += f.size;
          else plan.bytesToSend += f.size;
          list({ path: f.relativePath, change: verdict.kind, size: f.size, why: verdict.kind === 'new' ? null : verdict.why });
        }
      });
      plan.counts.removed = gone.size;
      for (const path of gone.keys()) list({ path, change: 'removed', size: null, why: 'listed at the destination, no longer in the source' });
    } finally {
      protocol?.close();
    }
    trim();
    plan.files = listed;
    return plan;
  }
}

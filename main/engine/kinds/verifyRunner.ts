import { plural } from '../../../shared/plural';
import { FerryError } from '../../../shared/errors';
import type { ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import type { JobRunner, RunnerContext } from '../jobs/runner';
import { storedFor, type ReadOptions, type Stored, type StoredFile } from './storedSha256';

export interface VerifyParams {
  /** The upload job whose files (and manifest) are checked. */
  sourceJobId: number;
  destinationId: string;
  dataset: string;
}

export interface VerifyDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  receiverDir: () => string | undefined;
}

/**
 * Resume state: the manifest is read in a fixed order (by path), so the files before `next` are
 * done. A file is checked whole within one attempt (a SHA-256 in progress cannot be saved), but a
 * pause inside it holds the hash in memory and carries on where it stopped.
 */
export interface VerifyState {
  next: number;
  ok: number;
  /** `path: why` of every file whose stored bytes differ (or are missing). */
  mismatches: string[];
  /** `path: why` of every file whose stored bytes could not be established. */
  unverifiable: string[];
  /** Files verified per method. */
  methods: Record<string, number>;
}

type ManifestFile = StoredFile & { sha256: string };

/**
 * Establishes the SHA-256 of what the destination stores for every file of an upload and compares
 * it with the manifest (see storedSha256.ts for how, per destination). A file is never counted as
 * verified by its size alone: each OK line names the method. Any difference fails the job, listing
 * every file; files that cannot be verified fail it too, saying why, instead of passing.
 */
export function createVerifyRunner(deps: VerifyDeps): JobRunner<VerifyParams, VerifyState> {
  return {
    kind: 'verify',
    async run(ctx) {
      const { sourceJobId, destinationId, dataset } = ctx.params;
      const dest = deps.destinations.resolve(destinationId);
      const files = deps.items.manifest(sourceJobId);
      if (files.length === 0) throw new FerryError('NOT_FOUND', `verify(job ${sourceJobId}): no uploaded files to verify`, { retriable: false });
      ctx.stage('verifying');
      const fresh = (): VerifyState => ({ next: 0, ok: 0, mismatches: [], unverifiable: [], methods: {} });
      const state: VerifyState = ctx.restore() ?? fresh();
      if (state.next > 0) ctx.log(`Resuming at file ${state.next + 1} of ${files.length}`);
      else ctx.log(`Verifying ${files.length} ${plural(files.length, 'file')} of ${dataset} on ${dest.name}`);
      const total = files.reduce((n, f) => n + f.size, 0);
      let bytes = files.slice(0, state.next).reduce((n, f) => n + f.size, 0);
      const report = (extra = 0) =>
        ctx.progress({ done: bytes + extra, total, unit: 'bytes', processed: state.ok, failed: state.mismatches.length + state.unverifiable.length });
      const protocol = dest.kind === 's3' || dest.kind === 'tus' ? deps.destinations.protocol(destinationId) : undefined;
      try {
        for (; state.next < files.length; state.next++) {
          await ctx.checkpoint();
          const f = files[state.next]!;
          let read = 0;
          const options: ReadOptions = {
            signal: ctx.signal,
            checkpoint: () => ctx.checkpoint({ midItem: true }),
            onBytes: (n) => report((read += n)),
          };
          ctx.progress({ done: bytes, total, unit: 'bytes', current: f.relative_path });
          const stored = await storedFor(dest, protocol, dataset, f, deps.receiverDir(), options);
          record(ctx, state, f, stored);
          bytes += f.size;
          report();
          ctx.persist({ ...state, next: state.next + 1 });
        }
      } finally {
        protocol?.close();
      }
      const methods = Object.entries(state.methods).map(([m, n]) => `${n} by ${m}`).join(', ');
      // A verdict is final for this run; a retry (after the destination was repaired) reads again.
      ctx.persist(fresh(), { durable: true });
      if (state.mismatches.length > 0) {
        throw new FerryError('REMOTE', `verify(job ${sourceJobId}): ${state.mismatches.length} of ${files.length} files differ on ${dest.name}`, { retriable: false });
      }
      if (state.unverifiable.length > 0) {
        throw new FerryError(
          'UNAVAILABLE',
          `verify(job ${sourceJobId}): ${state.unverifiable.length} of ${files.length} files cannot be verified on ${dest.name} (${state.ok} verified${methods ? `: ${methods}` : ''})`,
          { retriable: false },
        );
      }
      ctx.log(state.ok === 1 ? `The 1 file matches the manifest (${methods})` : `All ${state.ok} files match the manifest (${methods})`);
      return { result: 'success', summary: { verified: state.ok, sourceJobId, methods: state.methods } };
    },
  };
}

function record(ctx: RunnerContext<VerifyParams, VerifyState>, state: VerifyState, f: ManifestFile, stored: Stored): void {
  const path = f.relative_path;
  switch (stored.kind) {
    case 'sha256':
      if (stored.sha256 === f.sha256) {
        state.ok++;
        state.methods[stored.method] = (state.methods[stored.method] ?? 0) + 1;
        ctx.log(`OK        ${path} (verified by ${stored.method})`);
        return;
      }
      return mismatch(`sha256 ${stored.sha256}, expected ${f.sha256} (by ${stored.method})`);
    case 'missing':
      return mismatch('missing');
    case 'size':
      return mismatch(`size ${stored.size}, expected ${f.size}`);
    case 'unverifiable':
      state.unverifiable.push(`${path}: ${stored.why}`);
      ctx.log(`UNVERIFIED ${path}: ${stored.why}`);
      return;
  }
  function mismatch(why: string): void {
    state.mismatches.push(`${path}: ${why}`);
    ctx.log(`MISMATCH  ${path}: ${why}`);
  }
}

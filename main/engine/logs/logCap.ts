import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '../util/privateFiles';

/**
 * The per-job log size cap. A log that grows past three quarters of `capBytes` is cut: its head
 * (the first quarter of the cap) stays, a marker line says how much was left out, and the newest
 * quarter follows; the quarter left over takes what is written while a cut runs, so the log stays
 * under the cap. The head never moves, so offsets before it stay valid; later offsets move, and
 * each cut starts a new epoch so that followers can map an old offset onto the new file.
 */
export interface LogCapPolicy {
  capBytes: number;
}

const COPY_CHUNK = 1024 * 1024;
/** The last, blocking step of a cut copies at most about this much. */
const SYNC_CATCH_UP_BYTES = 256 * 1024;
const MARKER = /^\[ferry\] \.\.\. (\d+) bytes \((\d+) lines\) omitted here to keep this log under its size cap \(cut (\d+)\) \.\.\.$/;
/** Cuts remembered for mapping old offsets; a follower further behind restarts at the marker. */
const KEEP_CUTS = 32;

interface Cut {
  /** The epoch this cut started. */
  epoch: number;
  /** Old offsets in [headEnd, cutEnd) were dropped; old offset cutEnd is new offset tailStart. */
  cutEnd: number;
  tailStart: number;
}

export const headBytes = (p: LogCapPolicy): number => Math.max(1, Math.floor(p.capBytes / 4));
export const keptTailBytes = (p: LogCapPolicy): number => Math.max(1, Math.floor(p.capBytes / 4));
/** A log this large gets cut. */
export const cutThreshold = (p: LogCapPolicy): number => Math.floor((p.capBytes * 3) / 4);

/** Where a log was cut and how to map offsets across cuts; restored from the file after a restart. */
export class LogCutState {
  epoch = 0;
  /** Start of the marker line (end of the head), once the log was cut. */
  headEnd: number | null = null;
  markerEnd: number | null = null;
  omittedBytes = 0;
  omittedLines = 0;
  private cuts: Cut[] = [];

  /**
   * Reads the cut state of an existing log: the side file names where the head ends, and the marker
   * there (if the cut got that far before a crash) holds the counts and the epoch.
   */
  static load(logPath: string): LogCutState {
    const state = new LogCutState();
    const side = `${logPath}.cut`;
    if (!existsSync(side)) return state;
    try {
      const { headEnd } = JSON.parse(readFileSync(side, 'utf8')) as { headEnd: number };
      const fd = openSync(logPath, 'r');
      try {
        const buf = Buffer.alloc(512);
        const n = readSync(fd, buf, 0, buf.length, headEnd);
        const nl = buf.subarray(0, n).indexOf(0x0a);
        const m = nl >= 0 ? MARKER.exec(buf.subarray(0, nl).toString('latin1')) : null;
        if (!m) return state;
        state.headEnd = headEnd;
        state.markerEnd = headEnd + nl + 1;
        state.omittedBytes = Number(m[1]);
        state.omittedLines = Number(m[2]);
        state.epoch = Number(m[3]);
      } finally {
        closeSync(fd);
      }
    } catch {
      // An unreadable side file: the log is treated as never cut, which only costs mapping precision.
    }
    return state;
  }

  /** Maps an offset read in `fromEpoch` onto the current file. */
  mapOffset(fromEpoch: number, offset: number): number {
    if (fromEpoch >= this.epoch || this.headEnd === null) return offset;
    const headEnd = this.headEnd;
    if (offset < headEnd) return offset;
    const oldest = this.cuts[0];
    if (!oldest || oldest.epoch > fromEpoch + 1) return headEnd;
    let pos = offset;
    for (const cut of this.cuts) {
      if (cut.epoch <= fromEpoch) continue;
      pos = pos < cut.cutEnd ? headEnd : pos - cut.cutEnd + cut.tailStart;
    }
    return pos;
  }

  record(cut: Cut): void {
    this.cuts.push(cut);
    if (this.cuts.length > KEEP_CUTS) this.cuts.shift();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function copyRange(from: FileHandle, to: FileHandle, start: number, end: number): Promise<void> {
  for (let pos = start; pos < end; pos += COPY_CHUNK) {
    const chunk = await readAt(from, pos, Math.min(COPY_CHUNK, end - pos));
    await to.write(chunk, 0, chunk.length);
  }
}

async function countLines(file: FileHandle, start: number, end: number): Promise<number> {
  let lines = 0;
  for (let pos = start; pos < end; pos += COPY_CHUNK) {
    const chunk = await readAt(file, pos, Math.min(COPY_CHUNK, end - pos));
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
  }
  return lines;
}

/** The bytes appended to the old file while the new one was being written, copied at the end. */
function copyRangeSync(fromPath: string, to: number, start: number, end: number): void {
  if (end <= start) return;
  const from = openSync(fromPath, 'r');
  try {
    const buf = Buffer.alloc(Math.min(COPY_CHUNK, end - start));
    for (let pos = start; pos < end; ) {
      const n = readSync(from, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) break;
      let written = 0;
      while (written < n) written += writeSync(to, buf, written, n - written);
      pos += n;
    }
  } finally {
    closeSync(from);
  }
}

/**
 * Cuts the log at `path` down to head + marker + newest tail without blocking the event loop: the
 * new file is written beside the old one in chunks while the old one goes on receiving appends;
 * then, in one synchronous step, what was appended meanwhile is copied over, the new file is
 * fsynced and renamed over the old one, and the state moves to the next epoch. A crash leaves
 * either the old log or the new one, never a mix. Answers the new size.
 *
 * `sizeNow` gives the flushed size of the old file at any moment; `swapped` is called within the
 * synchronous step, right after the rename, so the writer reopens its file before anything else
 * can write to the old one.
 */
export async function cutLog(
  path: string,
  policy: LogCapPolicy,
  state: LogCutState,
  sizeNow: () => number,
  swapped: (newSize: number) => void,
): Promise<number> {
  const size = sizeNow();
  const file = await open(path, 'r');
  const tmp = `${path}.tmp`;
  let out: FileHandle | undefined;
  try {
    let headEnd = state.headEnd;
    if (headEnd === null) {
      const head = await readAt(file, 0, Math.min(size, headBytes(policy)));
      headEnd = head.lastIndexOf(0x0a) + 1;
      writeFileSync(`${path}.cut`, JSON.stringify({ headEnd }), { mode: PRIVATE_FILE_MODE });
    }
    const oldTail = state.markerEnd ?? headEnd;
    let keepFrom = Math.max(oldTail, size - keptTailBytes(policy));
    if (keepFrom > oldTail) {
      const window = await readAt(file, keepFrom - 1, Math.min(size - keepFrom + 1, 64 * 1024));
      const nl = window.indexOf(0x0a);
      keepFrom = nl >= 0 ? keepFrom + nl : size;
    }
    const omittedBytes = state.omittedBytes + (keepFrom - oldTail);
    const omittedLines = state.omittedLines + (await countLines(file, oldTail, keepFrom));
    const epoch = state.epoch + 1;
    const marker = Buffer.from(
      `[ferry] ... ${omittedBytes} bytes (${omittedLines} lines) omitted here to keep this log under its size cap (cut ${epoch}) ...\n`,
      'latin1',
    );
    out = await open(tmp, 'w', PRIVATE_FILE_MODE);
    await copyRange(file, out, 0, headEnd);
    await out.write(marker, 0, marker.length);
    await copyRange(file, out, keepFrom, size);
    // Catch up with what was appended meanwhile, until little enough is left for the last step.
    let copied = size;
    for (let round = 0; round < 8 && sizeNow() - copied > SYNC_CATCH_UP_BYTES; round++) {
      const upTo = sizeNow();
      await copyRange(file, out, copied, upTo);
      copied = upTo;
    }
    await out.close();
    out = undefined;
    // From here on nothing yields: the old file cannot grow between the last copy and the rename.
    const finalSize = sizeNow();
    const fd = openSync(tmp, 'a');
    try {
      copyRangeSync(path, fd, copied, finalSize);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    state.record({ epoch, cutEnd: keepFrom, tailStart: headEnd + marker.length });
    state.epoch = epoch;
    state.headEnd = headEnd;
    state.markerEnd = headEnd + marker.length;
    state.omittedBytes = omittedBytes;
    state.omittedLines = omittedLines;
    const newSize = headEnd + marker.length + (finalSize - keepFrom);
    swapped(newSize);
    return newSize;
  } finally {
    await out?.close();
    await file.close();
  }
}

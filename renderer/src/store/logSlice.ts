/**
 * The log tail of the active job as the `job.log` stream delivers it, kept as lines (logLines.ts).
 * Chunks for any other job are ignored, so a late chunk after a selection change cannot leak in.
 */
import type { StateCreator } from 'zustand';
import type { LogChunk } from '../../../shared/model';
import { appendLogText, EMPTY_LOG_LINES } from './logLines';
import type { LogLines } from './logLines';
import type { FerryState } from './store';

export interface LogState {
  jobId: number | null;
  text: LogLines;
  /** Byte offset after the last chunk received: where a re-opened stream continues. */
  nextOffset: number;
  /** The log file's epoch that offset belongs to (the engine cuts huge logs; see LogChunk). */
  epoch: number | null;
  /** The job finished and every byte was delivered. */
  eof: boolean;
  /** Nothing received yet for this job. */
  waiting: boolean;
  error: string | null;
}

export interface LogSlice {
  log: LogState;
  resetLog(jobId: number | null): void;
  appendLog(chunk: LogChunk): void;
  /** The stream is being re-opened after the job was retried: it is not at its end any more. */
  reopenLog(jobId: number): void;
  failLog(jobId: number, message: string): void;
}

const emptyLog = (jobId: number | null): LogState => ({
  jobId,
  text: EMPTY_LOG_LINES,
  nextOffset: 0,
  epoch: null,
  eof: false,
  waiting: jobId !== null,
  error: null,
});

export const createLogSlice: StateCreator<FerryState, [], [], LogSlice> = (set) => ({
  log: emptyLog(null),
  resetLog: (jobId) => set({ log: emptyLog(jobId) }),
  appendLog: (chunk) =>
    set((s) => {
      const log = s.log;
      if (chunk.jobId !== log.jobId) return s;
      const epoch = chunk.epoch ?? log.epoch;
      const sameEpoch = epoch === log.epoch;
      // A repeat of bytes already shown (a stream re-opened at an older offset) adds nothing.
      if (sameEpoch && chunk.nextOffset <= log.nextOffset && chunk.text.length > 0) return s;
      const text = appendLogText(log.text, chunk.text);
      if (text === log.text && log.eof === chunk.eof && !log.waiting && log.error === null && sameEpoch) return s;
      const nextOffset = sameEpoch ? Math.max(log.nextOffset, chunk.nextOffset) : chunk.nextOffset;
      return { log: { ...log, text, nextOffset, epoch, eof: chunk.eof, waiting: false, error: null } };
    }),
  reopenLog: (jobId) => set((s) => (s.log.jobId === jobId ? { log: { ...s.log, eof: false, error: null } } : s)),
  failLog: (jobId, message) => set((s) => (s.log.jobId === jobId ? { log: { ...s.log, error: message, waiting: false } } : s)),
});

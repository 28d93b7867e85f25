/**
 * The log tail of the selected job as the `job.log` stream delivers it, capped (see logBuffer.ts).
 * Chunks for any other job are ignored, so a late chunk after a selection change cannot leak in.
 */
import type { StateCreator } from 'zustand';
import type { LogChunk } from '../../../shared/model';
import { appendToBuffer, EMPTY_LOG_BUFFER } from './logBuffer';
import type { LogBuffer } from './logBuffer';
import type { FerryState } from './store';

export interface LogState {
  jobId: number | null;
  buffer: LogBuffer;
  /** Byte offset after the last chunk received: where a re-opened stream continues. */
  nextOffset: number;
  /** The job finished and every byte was delivered. */
  eof: boolean;
  /** Nothing received yet for this job. */
  waiting: boolean;
  error: string | null;
}

export interface LogSlice {
  log: LogState;
  /** Starts an empty tail for a job (or none). */
  resetLog(jobId: number | null): void;
  appendLog(chunk: LogChunk): void;
  /** The stream is being re-opened after the job was retried: it is not at its end any more. */
  reopenLog(jobId: number): void;
  failLog(jobId: number, message: string): void;
}

const emptyLog = (jobId: number | null): LogState => ({
  jobId,
  buffer: EMPTY_LOG_BUFFER,
  nextOffset: 0,
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
      // A repeat of bytes already shown (a stream re-opened at an older offset) adds nothing.
      if (chunk.nextOffset <= log.nextOffset && chunk.text.length > 0) return s;
      const buffer = appendToBuffer(log.buffer, chunk.text);
      return {
        log: { ...log, buffer, nextOffset: Math.max(log.nextOffset, chunk.nextOffset), eof: chunk.eof, waiting: false, error: null },
      };
    }),
  reopenLog: (jobId) =>
    set((s) => (s.log.jobId === jobId ? { log: { ...s.log, eof: false, error: null } } : s)),
  failLog: (jobId, message) =>
    set((s) => (s.log.jobId === jobId ? { log: { ...s.log, error: message, waiting: false } } : s)),
});

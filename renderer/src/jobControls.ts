/**
 * The user controls of a job and when each is legal. Legality comes from the one transition table
 * in shared/model.ts, so the buttons can never offer a move the engine would answer with CONFLICT.
 */
import type { CommandName } from '../../shared/contract';
import { TRANSITIONS } from '../../shared/model';
import type { JobAction, JobView } from '../../shared/model';

export type JobControl = 'pause' | 'resume' | 'stopAfterCurrent' | 'cancel' | 'retry' | 'approve' | 'reject';

export interface JobControlSpec {
  control: JobControl;
  label: string;
  /** The engine command the control sends. */
  command: Extract<CommandName, 'pauseJob' | 'resumeJob' | 'stopAfterCurrent' | 'cancelJob' | 'retryJob' | 'approveJob' | 'rejectJob'>;
  /** The transition it asks for; stop-after-current ends in a pause. */
  action: JobAction;
  /** Shown as a confirmation toast once the engine accepted it. */
  done: string;
  /** Offered only while it applies (an approval gate), instead of shown disabled. */
  contextual?: boolean;
  /** What the control will do, where the label alone does not say (the button's tooltip). */
  explains?: string;
}

export const JOB_CONTROLS: readonly JobControlSpec[] = [
  { control: 'pause', label: 'Pause', command: 'pauseJob', action: 'pause', done: 'paused' },
  { control: 'resume', label: 'Resume', command: 'resumeJob', action: 'resume', done: 'resumed' },
  {
    control: 'stopAfterCurrent',
    label: 'Stop after current',
    command: 'stopAfterCurrent',
    action: 'pause',
    done: 'will stop after the files in flight (and complete if they are the last)',
    explains: 'Finish the files being sent, start no new ones, then pause (or complete, if nothing is left)',
  },
  { control: 'cancel', label: 'Cancel', command: 'cancelJob', action: 'cancel', done: 'canceled' },
  { control: 'retry', label: 'Retry', command: 'retryJob', action: 'retry', done: 'queued again' },
  { control: 'approve', label: 'Approve', command: 'approveJob', action: 'approve', done: 'approved', contextual: true },
  { control: 'reject', label: 'Reject', command: 'rejectJob', action: 'reject', done: 'rejected', contextual: true },
];

/** Whether the control is legal for the job as the UI last saw it. */
export function isControlAllowed(spec: JobControlSpec, job: Pick<JobView, 'state' | 'stopAfterCurrent'>): boolean {
  if (TRANSITIONS[job.state][spec.action] === undefined) return false;
  // Stopping after the item in hand only means something while an item is in hand.
  if (spec.control === 'stopAfterCurrent') return job.state === 'running' && !job.stopAfterCurrent;
  return true;
}

/** Why every job control is off while the engine does not answer (shown as their tooltip). */
export const OFFLINE_REASON = 'Ferry is not reachable';

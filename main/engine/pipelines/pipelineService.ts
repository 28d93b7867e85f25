import { basename } from 'node:path';
import { gateSchema, pipelineSteps, type PipelineStep } from '../../../shared/automation';
import { conflict } from '../../../shared/errors';
import { ACTOR_LABELS, type Actor, type JobView, type Priority } from '../../../shared/model';
import type { JobRow, JobsTable, NewJob } from '../db/jobsRepo';
import type { CommandParams } from '../kinds/commandRunner';
import type { UploadParams } from '../kinds/uploadRunner';
import type { VerifyParams } from '../kinds/verifyRunner';

/** The dataset a pipeline is about: what its later steps are templated from. */
export interface PipelineSource {
  jobId: number;
  destinationId: string;
  dataset: string;
  path: string;
  metadata: Record<string, unknown>;
}

/** What a job carries in its `pipeline` column: the source and the steps still to come. */
export interface PipelineState {
  source: PipelineSource;
  steps: PipelineStep[];
}

export interface PipelineJobs {
  create(job: NewJob & { state?: 'queued' | 'awaiting_approval' }, params: Record<string, unknown>): JobView;
  get(id: number): JobRow;
  approve(id: number, by: Actor, message?: string): JobView;
  reject(id: number, by: Actor, message?: string): JobView;
  event(id: number, type: 'gate_waiting' | 'log', state: JobView['state'], message: string, payload?: Record<string, unknown>): void;
  onFinished(listener: (view: JobView) => void): () => void;
}

/**
 * Pipelines: when a job completes successfully, its next step becomes a job of its own (linked
 * by parent id). A gated step waits in `awaiting_approval` until someone approves or rejects it,
 * or its timeout decides; every decision is an event in both jobs' logs.
 */
export class PipelineService {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private stopListening: () => void = () => {};

  constructor(
    private readonly rows: Pick<JobsTable, 'setPipeline' | 'linkStep' | 'pipelineOf' | 'gateOf' | 'gateDeadlines'>,
    private readonly jobs: PipelineJobs,
    private readonly commandsAllowed: () => boolean,
  ) {}

  start(): void {
    this.stopListening = this.jobs.onFinished((view) => this.onFinished(view));
    for (const w of this.rows.gateDeadlines()) this.arm(w.id, w.gate_deadline);
  }

  stop(): void {
    this.stopListening();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Validates steps before a job that names them is created (commands need the setting). */
  check(steps: unknown): PipelineStep[] {
    const parsed = pipelineSteps.parse(steps ?? []);
    if (parsed.some((s) => s.kind === 'command') && !this.commandsAllowed()) {
      throw conflict('pipeline: command steps are off; command jobs must be allowed at the host first (`ferry serve --allow-command-jobs`, or the desktop\'s confirmation)');
    }
    return parsed;
  }

  /** Stores the steps to run after an upload job. */
  attach(jobId: number, params: UploadParams, steps: PipelineStep[]): void {
    if (steps.length === 0) return;
    const state: PipelineState = {
      source: { jobId, destinationId: params.destinationId, dataset: params.dataset, path: params.paths[0] ?? '', metadata: params.metadata as unknown as Record<string, unknown> },
      steps,
    };
    this.rows.setPipeline(jobId, JSON.stringify(state));
  }

  /** `by` is who decided: a window, the API, or (from the timer) the gate's timeout rule. */
  approve(id: number, by: Actor): JobView {
    this.disarm(id);
    return this.jobs.approve(id, by);
  }

  reject(id: number, by: Actor): JobView {
    this.disarm(id);
    return this.jobs.reject(id, by);
  }

  private onFinished(view: JobView): void {
    this.disarm(view.id);
    if (view.state !== 'completed' || view.result !== 'success') return;
    const row = this.rows.pipelineOf(view.id);
    if (!row?.pipeline) return;
    const state = JSON.parse(row.pipeline) as PipelineState;
    const [step, ...rest] = state.steps;
    if (!step) return;
    const priority = (['high', 'normal', 'low'] as Priority[])[row.priority] ?? 'normal';
    const gate = step.gate ? gateSchema.parse(step.gate) : undefined;
    const job = this.jobs.create({ ...this.jobFor(step, state.source, priority), state: gate ? 'awaiting_approval' : 'queued' }, { step: step.kind, after: view.id });
    this.rows.linkStep(job.id, {
      pipeline: JSON.stringify({ source: state.source, steps: rest }),
      parentId: view.id,
      gate: gate ? JSON.stringify(gate) : null,
      gateDeadline: gate?.timeoutMs ? Date.now() + gate.timeoutMs : null,
    });
    this.jobs.event(view.id, 'log', view.state, `Next step: ${step.kind} as job ${job.id}${gate ? ' (waiting for approval)' : ''}`);
    if (gate) {
      this.jobs.event(job.id, 'gate_waiting', 'awaiting_approval', `Waiting for approval: ${gate.prompt}`, { gate });
      if (gate.timeoutMs) this.arm(job.id, Date.now() + gate.timeoutMs);
    }
  }

  private jobFor(step: PipelineStep, source: PipelineSource, priority: Priority): NewJob {
    if (step.kind === 'verify') {
      const params: VerifyParams = { sourceJobId: source.jobId, destinationId: source.destinationId, dataset: source.dataset };
      return { kind: 'verify', name: `Verify ${source.dataset}`, priority, params, destinationId: source.destinationId, unit: 'bytes', maxAttempts: 3 };
    }
    const template: Record<string, string> = { path: source.path, name: source.dataset };
    for (const [k, v] of Object.entries(source.metadata)) template[`meta.${k}`] = String(v);
    const params: CommandParams = {
      program: step.program,
      args: step.args,
      ...(step.cwd ? { cwd: step.cwd } : {}),
      ...(step.env ? { env: step.env } : {}),
      ...(step.timeoutMs ? { timeoutMs: step.timeoutMs } : {}),
      template,
    };
    return { kind: 'command', name: `${basename(step.program)} on ${source.dataset}`, priority, params, unit: 'items', maxAttempts: 1 };
  }

  private arm(id: number, deadline: number): void {
    this.disarm(id);
    const t = setTimeout(() => {
      this.timers.delete(id);
      const row = this.rows.gateOf(id);
      if (!row || row.state !== 'awaiting_approval') return;
      const gate = gateSchema.parse(JSON.parse(row.gate ?? '{}'));
      const message = `Approval timed out after ${Math.round((gate.timeoutMs ?? 0) / 1000)} s`;
      if (gate.onTimeout === 'approve') this.jobs.approve(id, 'timeout', `${message}: approved by ${ACTOR_LABELS.timeout}`);
      else this.jobs.reject(id, 'timeout', `${message}: rejected by ${ACTOR_LABELS.timeout}`);
    }, Math.max(0, deadline - Date.now()));
    t.unref();
    this.timers.set(id, t);
  }

  private disarm(id: number): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }
}

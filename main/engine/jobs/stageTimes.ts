import type { StageTime } from '../../../shared/model';

/** Stages kept per job (the oldest go first): a runner that names a stage per item cannot grow the row without bound. */
const MAX_STAGES = 200;

export function parseStages(json: string | null): StageTime[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? (list as StageTime[]) : [];
  } catch {
    return [];
  }
}

/** The stage still running, if any (the last one, when it has not ended). */
export function openStage(stages: readonly StageTime[]): StageTime | undefined {
  const last = stages[stages.length - 1];
  return last && last.endedAt === null ? last : undefined;
}

/** Ends the running stage in place; returns it, or undefined when none ran. */
export function endStage(stages: StageTime[], outcome: 'completed' | 'failed', now: number): StageTime | undefined {
  const open = openStage(stages);
  if (!open) return undefined;
  open.endedAt = now;
  open.ms = Math.max(0, now - open.startedAt);
  open.outcome = outcome;
  return open;
}

/** Starts a stage (the caller ended the one before). */
export function beginStage(stages: StageTime[], name: string, attempt: number, now: number): StageTime {
  const stage: StageTime = { name, attempt, startedAt: now, endedAt: null, ms: null, outcome: 'running' };
  stages.push(stage);
  if (stages.length > MAX_STAGES) stages.splice(0, stages.length - MAX_STAGES);
  return stage;
}

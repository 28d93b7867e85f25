/**
 * The pipeline a job belongs to (upload → verify → command), each step's job a link that selects
 * it, the job shown marked as the current step, and the steps not started yet after them.
 */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import type { JobKind, JobView } from '../../../../shared/model';
import { loadPipeline, showStep } from '../../store/actions/pipeline';
import type { PipelineLoad } from '../../store/actions/pipeline';
import { StateBadge } from '../common/StateBadge';

const KIND_WORDS: Partial<Record<JobKind, string>> = { upload: 'Upload', verify: 'Verify', command: 'Command', demo: 'Demo' };
const kindWord = (kind: JobKind): string => KIND_WORDS[kind] ?? kind;

export function PipelineSteps({ job }: { job: JobView }): ReactElement | null {
  const [load, setLoad] = useState<PipelineLoad | null>(null);
  // The chain grows when a step succeeds and its next step's job is created: read it again as the job changes state.
  useEffect(() => {
    if (!job.inPipeline) return undefined;
    let live = true;
    void loadPipeline(job.id).then((result) => {
      if (live) setLoad(result);
    });
    return () => {
      live = false;
    };
  }, [job.id, job.inPipeline, job.state]);
  if (!job.inPipeline || load === null) return null;
  if (load.status === 'error') {
    return (
      <nav className="pipeline-steps" aria-label="Pipeline">
        <span className="muted">Pipeline not available: {load.error}</span>
      </nav>
    );
  }
  const { steps, planned } = load.pipeline;
  if (steps.length === 0) return null;
  const at = steps.findIndex((s) => s.id === job.id);
  const previous = at > 0 ? steps[at - 1] : undefined;
  const next = at >= 0 ? steps[at + 1] : undefined;
  return (
    <nav className="pipeline-steps" aria-label="Pipeline" data-testid="pipeline-steps">
      <span className="pipeline-steps-label">Pipeline</span>
      <ol className="pipeline-steps-list">
        {steps.map((step) => (
          <li key={step.id} className="pipeline-step" data-step-id={step.id}>
            {step.id === job.id ? (
              <span className="pipeline-step-current" aria-current="step" title={step.name}>
                {kindWord(step.kind)} #{step.id}
              </span>
            ) : (
              <button
                type="button"
                className="pipeline-step-link"
                title={`${step.name}: ${formatState(step.state)}`}
                // The visible words first (speech users say what they see), then what they lead to.
                aria-label={`${kindWord(step.kind)} #${step.id}: ${step === previous ? 'previous step' : step === next ? 'next step' : 'step'}, ${formatState(step.state)}`}
                onClick={() => void showStep(step.id)}
              >
                {kindWord(step.kind)} #{step.id}
              </button>
            )}
            <StateBadge state={step.state} result={step.result} />
          </li>
        ))}
        {planned.map((kind, i) => (
          <li key={`planned-${i}`} className="pipeline-step pipeline-step-planned" title="Starts when the step before it succeeds">
            {kindWord(kind)} <span className="muted">(not started)</span>
          </li>
        ))}
      </ol>
    </nav>
  );
}

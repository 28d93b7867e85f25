/** A job's priority, changed with setPriority. */
import type { ReactElement } from 'react';
import { PRIORITIES } from '../../../../shared/model';
import type { JobView, Priority } from '../../../../shared/model';
import { setPriority } from '../../store/actions/jobs';

export function PrioritySelect({ job }: { job: Pick<JobView, 'id' | 'priority'> }): ReactElement {
  return (
    <label className="priority-select">
      <span className="priority-select-label">Priority</span>
      <select className="select select-small" aria-label={`Priority of job ${job.id}`} value={job.priority} onChange={(event) => void setPriority(job.id, event.target.value as Priority)}>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p.charAt(0).toUpperCase() + p.slice(1)}
          </option>
        ))}
      </select>
    </label>
  );
}

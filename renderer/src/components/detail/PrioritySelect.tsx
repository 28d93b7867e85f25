/** A job's priority, changed with setPriority. */
import type { ReactElement } from 'react';
import { PRIORITIES } from '../../../../shared/model';
import type { JobView, Priority } from '../../../../shared/model';
import { OFFLINE_REASON } from '../../jobControls';
import { setPriority } from '../../store/actions/jobs';
import { selectOnline } from '../../store/selectors';
import { useFerryStore } from '../../store/store';

export function PrioritySelect({ job }: { job: Pick<JobView, 'id' | 'priority'> }): ReactElement {
  const online = useFerryStore(selectOnline);
  return (
    <label className="priority-select">
      <span className="priority-select-label">Priority</span>
      <select className="select select-small" aria-label={`Priority of job ${job.id}`} value={job.priority} disabled={!online} title={online ? undefined : OFFLINE_REASON} onChange={(event) => void setPriority(job.id, event.target.value as Priority)}>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p.charAt(0).toUpperCase() + p.slice(1)}
          </option>
        ))}
      </select>
    </label>
  );
}

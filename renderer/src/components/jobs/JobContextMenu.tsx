/** Right click on a job: its controls (for the whole selection), reveal its log, copy its id. */
import type { ReactElement } from 'react';
import { isControlAllowed, JOB_CONTROLS, OFFLINE_REASON } from '../../jobControls';
import type { JobControl } from '../../jobControls';
import { closeContextMenu } from '../../store/actions/dialogs';
import { cancelOrDelete, copyJobIds, revealJobLog, runBulkControl } from '../../store/actions/jobs';
import { selectOnline } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { CancelIcon, CheckIcon, CloseIcon, CopyIcon, ExternalIcon, PauseIcon, PlayIcon, RetryIcon, StopAfterIcon } from '../common/icons';
import { Menu } from '../common/Menu';
import type { MenuEntry } from '../common/Menu';

const ICONS: Record<JobControl, ReactElement> = {
  pause: <PauseIcon />,
  resume: <PlayIcon />,
  stopAfterCurrent: <StopAfterIcon />,
  cancel: <CancelIcon />,
  retry: <RetryIcon />,
  approve: <CheckIcon />,
  reject: <CloseIcon />,
};

export function JobContextMenu(): ReactElement | null {
  const menu = useFerryStore((s) => s.ui.contextMenu);
  const byId = useFerryStore((s) => s.jobs.byId);
  const reveal = useFerryStore((s) => s.ui.capabilities?.reveal ?? false);
  const online = useFerryStore(selectOnline);
  if (!menu) return null;
  const jobs = menu.jobIds.map((id) => byId[id]).filter((j) => j !== undefined);
  const many = jobs.length > 1;
  // Offline, the controls are off and the first entry says why, once.
  const entries: MenuEntry[] = online ? [] : [{ label: OFFLINE_REASON, disabled: true, onSelect: () => undefined }, 'separator'];
  entries.push(...JOB_CONTROLS.flatMap((spec): MenuEntry[] => {
    const n = jobs.filter((j) => isControlAllowed(spec, j)).length;
    if (spec.contextual && n === 0) return [];
    return [{
      label: many && n > 0 ? `${spec.label} (${n})` : spec.label,
      icon: ICONS[spec.control],
      disabled: !online || n === 0,
      danger: spec.control === 'cancel' || spec.control === 'reject',
      onSelect: () => void (spec.control === 'cancel' ? cancelOrDelete(menu.jobIds) : runBulkControl(spec.control, menu.jobIds)),
    }];
  }));
  entries.push('separator');
  const first = jobs[0];
  if (reveal && first && !many) entries.push({ label: 'Reveal log', icon: <ExternalIcon />, onSelect: () => void revealJobLog(first.id) });
  entries.push({ label: many ? 'Copy job ids' : 'Copy job id', icon: <CopyIcon />, onSelect: () => void copyJobIds(menu.jobIds) });
  return <Menu x={menu.x} y={menu.y} label={many ? `${jobs.length} jobs` : `Job ${first?.id ?? ''}`} entries={entries} onClose={closeContextMenu} testId="job-context-menu" />;
}

/** What the watch screen does: follow the live feed, save, enable, delete rules. */
import type { WatchRule, WatchRuleInput } from '../../../../shared/watch';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import type { WatchEditorTarget } from '../watchSlice';
import { confirmAction } from './dialogs';
import { fieldErrors } from '../../lib/fieldErrors';
import { asFerryError, describeError, showError, showToast } from './toasts';

const RESUBSCRIBE_MS = 2000;

const store = useFerryStore.getState;

/**
 * Follows `watch.changed` while the screen is open: its first message is the full picture (also
 * after a reconnect), later ones what changed. Answers the function that stops following.
 */
export function followWatch(): () => void {
  let stopped = false;
  let stop: () => void = () => undefined;
  let retry: number | undefined;
  const open = () => {
    let first = true;
    stop = ferry.subscribe(
      'watch.changed',
      {},
      (batch) => {
        if (first) store().applyWatchSnapshot(batch.rules, batch.statuses);
        else store().applyWatchChanges(batch);
        first = false;
      },
      (err) => {
        store().failWatch(describeError(err));
        if (!stopped) retry = window.setTimeout(open, RESUBSCRIBE_MS);
      },
    );
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(retry);
    stop();
  };
}

export async function reloadWatch(): Promise<void> {
  try {
    const [rules, statuses] = await Promise.all([ferry.listWatchRules({}), ferry.watchStatus({})]);
    store().applyWatchSnapshot(rules, statuses);
  } catch (err) {
    store().failWatch(describeError(err));
  }
}

export const openWatchEditor = (target: WatchEditorTarget): void => store().setWatchEditor(target);
export const closeWatchEditor = (): void => store().setWatchEditor(null);

/** Saves; answers field errors (keyed by input path, e.g. `path`, `metadata.nameTemplate`) when refused. */
export async function saveWatchRule(input: WatchRuleInput): Promise<{ saved: WatchRule | null; errors: Record<string, string> }> {
  try {
    const saved = await ferry.saveWatchRule(input);
    store().applyWatchChanges({ rules: [saved], statuses: [], removed: [] });
    showToast('success', input.id ? 'Rule saved' : 'Watching a new folder', `${saved.name}: ${saved.path}`);
    return { saved, errors: {} };
  } catch (err) {
    const error = asFerryError(err);
    const errors = error.code === 'INVALID_INPUT' ? fieldErrors(error.details) : {};
    // Folder problems (missing, a file, inside Ferry's data) come with the path: show them there.
    if ((error.details as { path?: unknown } | undefined)?.path !== undefined) errors.path = error.message.replace(/^saveWatchRule: /, '');
    else if (/placeholder/.test(error.message)) errors['metadata.nameTemplate'] = error.message.replace(/^saveWatchRule: /, '');
    else if (/glob /.test(error.message)) errors.include = error.message.replace(/^saveWatchRule: /, '');
    if (Object.keys(errors).length === 0) showError('Could not save the rule', error);
    return { saved: null, errors };
  }
}

export async function setWatchRuleEnabled(rule: WatchRule, enabled: boolean): Promise<void> {
  try {
    const saved = await ferry.setWatchRuleEnabled({ id: rule.id, enabled });
    store().applyWatchChanges({ rules: [saved], statuses: [], removed: [] });
  } catch (err) {
    showError(`Could not ${enabled ? 'enable' : 'pause'} “${rule.name}”`, err);
  }
}

export async function deleteWatchRule(rule: WatchRule): Promise<void> {
  const ok = await confirmAction({
    title: `Stop watching “${rule.name}”?`,
    message: `Ferry forgets this rule and which files of ${rule.path} it already sent. Upload jobs it created carry on.`,
    confirmLabel: 'Delete rule',
    danger: true,
  });
  if (!ok) return;
  try {
    await ferry.deleteWatchRule({ id: rule.id });
    store().applyWatchChanges({ rules: [], statuses: [], removed: [rule.id] });
    showToast('success', 'Rule deleted', rule.name);
  } catch (err) {
    showError(`Could not delete “${rule.name}”`, err);
  }
}

/** Settings: load, save (the engine validates again), and the theme, which applies at once. */
import type { ReceiverView } from '../../../../shared/contract';
import type { Settings, SettingsPatch } from '../../../../shared/settings';
import { applyTheme, saveTheme } from '../../theme';
import type { Theme } from '../../theme';
import { fieldErrors } from '../../lib/fieldErrors';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { asFerryError, describeError, showError, showToast } from './toasts';

const store = useFerryStore.getState;

/** Shows the theme the settings name and remembers it for the next start's first paint. */
export function adoptTheme(theme: Theme): void {
  saveTheme(theme);
  applyTheme(theme);
  store().setThemeState(theme);
}

/** Desktop: the host asks the user in a native dialog; the answer shows in the capabilities. */
export async function requestCommandJobs(): Promise<void> {
  try {
    const { allowed } = await ferry.requestCommandJobs({});
    store().setCapabilities(await ferry.capabilities({}));
    if (allowed) showToast('success', 'Command jobs allowed', 'Ferry may now run programs you give it as jobs.');
  } catch (err) {
    showError('Could not allow command jobs', err);
  }
}

export async function loadSettings(): Promise<void> {
  try {
    const settings = await ferry.getSettings({});
    store().applySettings(settings);
    adoptTheme(settings.theme);
  } catch (err) {
    store().failSettings(describeError(err));
  }
  try {
    store().applyHealth(await ferry.health({}));
  } catch {
    // The data directory is shown as unknown; nothing else depends on it.
  }
}

/**
 * The whole settings with a change applied. updateSettings is sent everything, not just the
 * change: its schema (a `.partial()` of one with defaults) fills every missing field with its
 * default, so a patch of one field would reset all the others.
 */
async function withChange(patch: SettingsPatch): Promise<SettingsPatch> {
  const current = store().settings.data ?? (await ferry.getSettings({}));
  return { ...current, ...patch };
}

/** Saves a change; answers the field errors the engine reported, or null when it took it. */
export async function saveSettings(patch: SettingsPatch, quiet = false): Promise<Record<string, string> | null> {
  try {
    const settings = await ferry.updateSettings(await withChange(patch));
    store().applySettings(settings);
    adoptTheme(settings.theme);
    if (!quiet) showToast('success', 'Settings saved', 'Ferry uses them from now on.');
    return null;
  } catch (err) {
    const error = asFerryError(err);
    const fields = fieldErrors(error.details);
    if (Object.keys(fields).length === 0 || error.code !== 'INVALID_INPUT') showError('Could not save the settings', error);
    return fields;
  }
}

/** The theme switch: applied at once, then saved (and put back if the engine refused). */
export async function setTheme(theme: Theme): Promise<void> {
  const before = store().ui.theme;
  adoptTheme(theme);
  const errors = await saveSettings({ theme }, true);
  if (errors) adoptTheme(before);
}

export type { Settings };

/** Where the built-in receiver listens now, and whether others may reach it (null if not asked). */
export async function loadReceiver(): Promise<ReceiverView | null> {
  try {
    return await ferry.getReceiver({});
  } catch (err) {
    showError('Could not ask how the receiver is doing', err);
    return null;
  }
}

/** Sets the receiver's access token (write-only); answers the receiver as it runs afterwards. */
export async function setReceiverToken(token: string): Promise<ReceiverView | null> {
  try {
    const view = await ferry.setReceiverToken({ token });
    showToast('success', 'Access token set', 'Other computers send it as Authorization: Bearer <token>.');
    return view;
  } catch (err) {
    showError('Could not set the access token', err);
    return null;
  }
}

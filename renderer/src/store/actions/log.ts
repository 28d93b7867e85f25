/** The log panel's actions: save the whole log, copy what is retained, show the file (desktop). */
import { formatBytes, formatCount } from '../../../../shared/format';
import { downloadText } from '../../lib/download';
import { ferry } from '../../transport';
import { logText, shownLineCount } from '../logLines';
import { useFerryStore } from '../store';
import { copyAndTell, showError, showToast } from './toasts';

const READ_CHUNK = 4 * 1024 * 1024;
const store = useFerryStore.getState;

/** Reads the whole log (the tail keeps only its end) and hands it to the browser as a download. */
export async function saveFullLog(id: number): Promise<void> {
  try {
    const parts: string[] = [];
    let offset = 0;
    let bytes = 0;
    for (;;) {
      const chunk = await ferry.readLog({ id, offset, maxBytes: READ_CHUNK });
      parts.push(chunk.text);
      bytes += chunk.nextOffset - offset;
      if (chunk.eof || chunk.nextOffset <= offset) break;
      offset = chunk.nextOffset;
    }
    const name = `ferry-job-${id}.log`;
    downloadText(name, parts);
    showToast('success', `Log of job ${id} saved`, `${formatBytes(bytes)} as ${name}`);
  } catch (err) {
    showError(`Could not read the log of job ${id}`, err);
  }
}

export async function copyLog(id: number): Promise<void> {
  const log = store().log;
  if (log.jobId !== id) return;
  const trimmed = log.text.dropped > 0 ? ' (the retained tail; save the log for all of it)' : '';
  await copyAndTell(logText(log.text), 'Log copied', `${formatCount(shownLineCount(log.text))} lines${trimmed}`, 'Could not copy the log');
}

export async function openLogFile(id: number): Promise<void> {
  try {
    await ferry.revealPath({ id, what: 'log' });
  } catch (err) {
    showError(`Could not show the log file of job ${id}`, err);
  }
}

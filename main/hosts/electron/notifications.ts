import { Notification } from 'electron';
import { seamNotification } from '../desktop/e2eSeam';
import type { JobNotice } from '../desktop/jobNotices';

/** Shows a notice as an OS notification; `click` runs when the user clicks it. */
export function showNotice(notice: JobNotice, click: () => void): void {
  const { title, body, silent, jobId } = notice;
  const n = Notification.isSupported() ? new Notification({ title, body, silent }) : null;
  n?.on('click', click);
  n?.show();
  seamNotification({ title, body, jobId, shown: n !== null, click: () => (n ? n.emit('click') : click()) });
}

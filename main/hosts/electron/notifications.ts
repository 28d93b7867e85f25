import { Notification } from 'electron';
import type { JobView } from '../../../shared/model';
import { seamNotification } from './e2eSeam';

/** The words of the OS notification for a finished job, or null when none is due. */
export function notificationFor(job: JobView): { title: string; body: string } | null {
  if (job.state === 'completed') {
    const failed = job.counts.failed;
    return {
      title: failed > 0 ? `Finished with ${failed} failed: ${job.name}` : `Done: ${job.name}`,
      body: failed > 0 ? `Job #${job.id}: ${job.counts.processed} done, ${failed} failed.` : `Job #${job.id} completed.`,
    };
  }
  if (job.state === 'failed') {
    return { title: `Failed: ${job.name}`, body: `Job #${job.id}: ${job.error ?? 'see the log for details'}` };
  }
  return null;
}

/** Shows the notification; clicking it opens the job in the window. */
export function notifyFinished(job: JobView, openJob: (id: number) => void): void {
  const words = notificationFor(job);
  if (!words) return;
  const open = () => openJob(job.id);
  const n = Notification.isSupported() ? new Notification({ title: words.title, body: words.body, silent: job.state === 'completed' }) : null;
  n?.on('click', open);
  n?.show();
  seamNotification({ ...words, jobId: job.id, shown: n !== null, click: () => (n ? n.emit('click') : open()) });
}

/** New download (URL or S3 bucket), command and verify jobs: open the sheet, create the job, then show it. */
import type { JobView } from '../../../../shared/model';
import { ferry } from '../../transport';
import type { DownloadBackPreset, NewJobKind } from '../newJobSlice';
import { useFerryStore } from '../store';
import { goTo } from './navigation';
import { showJob } from './selection';
import { fieldErrors } from '../../lib/fieldErrors';
import { asFerryError, showError, showToast } from './toasts';

const store = useFerryStore.getState;

export const openNewJob = (kind: NewJobKind): void => store().setNewJobSheet(kind);
/** The bucket download sheet for a completed upload's dataset: only the local folder is left to choose. */
export const openDownloadBack = (preset: DownloadBackPreset): void => store().setNewJobSheet('s3download', preset);
export const closeNewJob = (): void => store().setNewJobSheet(null);

type Created = { job: JobView | null; errors: Record<string, string> };

async function create(label: string, make: () => Promise<JobView>): Promise<Created> {
  try {
    const job = await make();
    store().upsertJobs([job]);
    goTo('jobs');
    showJob(job.id);
    closeNewJob();
    showToast('success', `${label} started`, `${job.name} (job #${job.id})`);
    return { job, errors: {} };
  } catch (err) {
    const error = asFerryError(err);
    const errors = error.code === 'INVALID_INPUT' ? fieldErrors(error.details) : {};
    if (Object.keys(errors).length === 0) showError(`Could not start the ${label.toLowerCase()}`, error);
    return { job: null, errors };
  }
}

export const createDownload = (input: Parameters<typeof ferry.createDownloadJob>[0]): Promise<Created> => create('Download', () => ferry.createDownloadJob(input));

export const createBucketDownload = (input: Parameters<typeof ferry.createBucketDownload>[0]): Promise<Created> => create('Download', () => ferry.createBucketDownload(input));

export const createCommand = (input: Parameters<typeof ferry.createCommandJob>[0]): Promise<Created> => create('Command', () => ferry.createCommandJob(input));

/** Checks what a completed upload left at its destination against its manifest, as a new job. */
export const createVerify = (sourceJobId: number): Promise<Created> => create('Verification', () => ferry.createVerifyJob({ sourceJobId }));

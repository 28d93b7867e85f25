import { basename } from 'node:path';
import { conflict } from '../../../shared/errors';
import type { CommandHandlers, Engine } from '../engine';
import type { VerifyParams } from '../kinds/verifyRunner';
import type { UploadParams } from '../kinds/uploadRunner';

type AutomationCommandNames =
  | 'createDownloadJob'
  | 'createCommandJob'
  | 'createVerifyJob'
  | 'approveJob'
  | 'rejectJob'
  | 'listWebhooks'
  | 'saveWebhook'
  | 'deleteWebhook';

/** Values that may be secrets (headers, environment) are kept out of the log header. */
const redact = (record: Record<string, string> | undefined) => (record ? Object.fromEntries(Object.keys(record).map((k) => [k, '<redacted>'])) : undefined);

/** Commands for download, command and verify jobs, approval gates and webhooks. */
export function automationCommands(engine: Engine): Pick<CommandHandlers, AutomationCommandNames> {
  const jobs = engine.jobs;
  return {
    createDownloadJob: ({ name, priority, ...p }) =>
      jobs.create(
        { kind: 'download', name: name ?? `Download ${basename(p.dest)}`, priority, params: p, total: 0, unit: 'bytes', maxAttempts: 5 },
        { ...p, ...(p.headers ? { headers: redact(p.headers) } : {}) },
      ),
    createCommandJob: ({ name, priority, maxAttempts, ...p }) => {
      if (!engine.settings.get().allowCommandJobs) throw conflict('createCommandJob: command jobs are off; turn on "Allow command jobs" in Settings first');
      return jobs.create(
        { kind: 'command', name: name ?? basename(p.program), priority, params: p, maxAttempts, unit: 'items' },
        { ...p, ...(p.env ? { env: redact(p.env) } : {}) },
      );
    },
    createVerifyJob: ({ sourceJobId, priority }) => {
      const source = jobs.get(sourceJobId);
      if (source.kind !== 'upload') throw conflict(`createVerifyJob: job ${sourceJobId} is a ${source.kind} job, not an upload`);
      const up = JSON.parse(source.params) as UploadParams;
      const params: VerifyParams = { sourceJobId, destinationId: up.destinationId, dataset: up.dataset };
      return jobs.create({ kind: 'verify', name: `Verify ${up.dataset}`, priority, params, destinationId: up.destinationId, unit: 'bytes', maxAttempts: 3 }, { ...params });
    },
    approveJob: ({ id }) => engine.pipelines.approve(id, 'the user'),
    rejectJob: ({ id }) => engine.pipelines.reject(id, 'the user'),
    listWebhooks: () => engine.webhooks.list(),
    saveWebhook: (input) => engine.webhooks.save(input),
    deleteWebhook: ({ id }) => {
      engine.webhooks.delete(id);
      return { id };
    },
  };
}

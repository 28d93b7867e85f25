import { basename } from 'node:path';
import { conflict, invalidInput } from '../../../shared/errors';
import { dataDirProblem } from '../util/dataDirGuard';
import type { CommandHandlers, EngineServices } from './engineServices';
import type { VerifyParams } from '../kinds/verifyRunner';
import type { UploadParams } from '../kinds/uploadRunner';
import { redactUrl, stashSecretHeaders } from '../kinds/downloadSecrets';

type AutomationCommandNames =
  | 'createDownloadJob'
  | 'createCommandJob'
  | 'requestCommandJobs'
  | 'createVerifyJob'
  | 'approveJob'
  | 'rejectJob'
  | 'listWebhooks'
  | 'saveWebhook'
  | 'testWebhook'
  | 'deleteWebhook';

/** Values that may be secrets (headers, environment) are kept out of the log header. */
const redact = (record: Record<string, string> | undefined) => (record ? Object.fromEntries(Object.keys(record).map((k) => [k, '<redacted>'])) : undefined);

/** Commands for download, command and verify jobs, approval gates and webhooks. */
export function automationCommands(
  services: Pick<EngineServices, 'dataDir' | 'jobs' | 'secrets' | 'commandJobs' | 'host' | 'pipelines' | 'webhooks'>,
): Pick<CommandHandlers, AutomationCommandNames> {
  const jobs = services.jobs;
  return {
    createDownloadJob: ({ name, priority, secretHeaders: marked, ...input }) => {
      const problem = dataDirProblem(services.dataDir, input.dest);
      if (problem) throw invalidInput(`createDownloadJob: ${problem}`, { dest: input.dest });
      // Credential headers go to the secret store; the database keeps a reference to them.
      const { headers, secretHeadersRef } = stashSecretHeaders(services.secrets, input.headers, marked);
      const p = { ...input, ...(headers ? { headers } : {}), ...(secretHeadersRef ? { secretHeadersRef } : {}) };
      return jobs.create(
        { kind: 'download', name: name ?? `Download ${basename(p.dest)}`, priority, params: p, total: 0, unit: 'bytes', maxAttempts: 5 },
        { ...p, url: redactUrl(p.url), ...(input.headers ? { headers: redact(input.headers) } : {}) },
      );
    },
    createCommandJob: ({ name, priority, maxAttempts, ...p }) => {
      services.commandJobs.check('createCommandJob');
      return jobs.create(
        { kind: 'command', name: name ?? basename(p.program), priority, params: p, maxAttempts, unit: 'items' },
        { ...p, ...(p.env ? { env: redact(p.env) } : {}) },
      );
    },
    requestCommandJobs: async () => {
      if (services.commandJobs.allowed()) return { allowed: true };
      // Only the host's own dialog, answered by the user, may change this; a client cannot.
      if (!services.host.confirmCommandJobs) services.commandJobs.check('requestCommandJobs');
      const allowed = (await services.host.confirmCommandJobs?.()) === true;
      if (allowed) services.commandJobs.allow();
      return { allowed };
    },
    createVerifyJob: ({ sourceJobId, priority }) => {
      const source = jobs.get(sourceJobId);
      if (source.kind !== 'upload') throw conflict(`createVerifyJob: job ${sourceJobId} is a ${source.kind} job, not an upload`);
      const up = JSON.parse(source.params) as UploadParams;
      const params: VerifyParams = { sourceJobId, destinationId: up.destinationId, dataset: up.dataset };
      return jobs.create({ kind: 'verify', name: `Verify ${up.dataset}`, priority, params, destinationId: up.destinationId, unit: 'bytes', maxAttempts: 3 }, { ...params });
    },
    approveJob: ({ id }, call) => services.pipelines.approve(id, call?.actor ?? 'api'),
    rejectJob: ({ id }, call) => services.pipelines.reject(id, call?.actor ?? 'api'),
    listWebhooks: () => services.webhooks.list(),
    saveWebhook: (input) => services.webhooks.save(input),
    testWebhook: ({ id }) => services.webhooks.sendTest(id),
    deleteWebhook: ({ id }) => {
      services.webhooks.delete(id);
      return { id };
    },
  };
}

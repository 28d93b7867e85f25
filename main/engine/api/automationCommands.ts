import { basename } from 'node:path';
import { conflict, invalidInput } from '../../../shared/errors';
import { dataDirProblem } from '../util/dataDirGuard';
import type { CommandHandlers, Engine } from '../engine';
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
  | 'deleteWebhook';

/** Values that may be secrets (headers, environment) are kept out of the log header. */
const redact = (record: Record<string, string> | undefined) => (record ? Object.fromEntries(Object.keys(record).map((k) => [k, '<redacted>'])) : undefined);

/** Commands for download, command and verify jobs, approval gates and webhooks. */
export function automationCommands(engine: Engine): Pick<CommandHandlers, AutomationCommandNames> {
  const jobs = engine.jobs;
  return {
    createDownloadJob: ({ name, priority, secretHeaders: marked, ...input }) => {
      const problem = dataDirProblem(engine.dataDir, input.dest);
      if (problem) throw invalidInput(`createDownloadJob: ${problem}`, { dest: input.dest });
      // Credential headers go to the secret store; the database keeps a reference to them.
      const { headers, secretHeadersRef } = stashSecretHeaders(engine.secrets, input.headers, marked);
      const p = { ...input, ...(headers ? { headers } : {}), ...(secretHeadersRef ? { secretHeadersRef } : {}) };
      return jobs.create(
        { kind: 'download', name: name ?? `Download ${basename(p.dest)}`, priority, params: p, total: 0, unit: 'bytes', maxAttempts: 5 },
        { ...p, url: redactUrl(p.url), ...(input.headers ? { headers: redact(input.headers) } : {}) },
      );
    },
    createCommandJob: ({ name, priority, maxAttempts, ...p }) => {
      engine.commandJobs.check('createCommandJob');
      return jobs.create(
        { kind: 'command', name: name ?? basename(p.program), priority, params: p, maxAttempts, unit: 'items' },
        { ...p, ...(p.env ? { env: redact(p.env) } : {}) },
      );
    },
    requestCommandJobs: async () => {
      if (engine.commandJobs.allowed()) return { allowed: true };
      // Only the host's own dialog, answered by the user, may change this; a client cannot.
      if (!engine.host.confirmCommandJobs) engine.commandJobs.check('requestCommandJobs');
      const allowed = (await engine.host.confirmCommandJobs?.()) === true;
      if (allowed) engine.commandJobs.allow();
      return { allowed };
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

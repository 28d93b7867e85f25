/** Automation: command jobs, approval gates of pipelines, and webhooks. */
import { z } from 'zod';
import type { JobView } from '../model';
import { webhookInput, type WebhookTestResult, type WebhookView } from '../automation';
import { command, idInput, MAX_NAME, noInput, priority } from './define';

export const automationCommands = {
  /**
   * Asks the user, in the host's own native dialog, to allow command jobs (desktop only; the web
   * host answers CONFLICT saying how to start it with them). No client can allow them by itself.
   */
  requestCommandJobs: command<{ allowed: boolean }>()(noInput),
  /** Runs a program (no shell) as a job: output in its log; pause stops it, cancel ends its whole tree. Needs the user's permission at the host. */
  createCommandJob: command<JobView>()(
    z.strictObject({
      program: z.string().min(1).max(4096),
      args: z.array(z.string().max(131072)).max(4096).default([]),
      cwd: z.string().min(1).max(4096).optional(),
      env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(131072)).optional(),
      timeoutMs: z.number().int().min(1).max(604_800_000).optional(),
      graceMs: z.number().int().min(0).max(600_000).default(5000),
      template: z.record(z.string().regex(/^(path|name|meta\.[A-Za-z0-9_.-]{1,100})$/), z.string().max(65536)).optional(),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      priority: priority.default('normal'),
      maxAttempts: z.number().int().min(1).max(20).default(1),
    }),
  ),
  /** Approves a job waiting at an approval gate: it is queued. */
  approveJob: command<JobView>()(idInput),
  /** Rejects a job waiting at an approval gate: it is canceled. */
  rejectJob: command<JobView>()(idInput),
  /** The webhooks, without their secrets. */
  listWebhooks: command<WebhookView[]>()(noInput),
  /** Creates (no id) or edits a webhook; a secret given here is stored and never returned. */
  saveWebhook: command<WebhookView>()(webhookInput),
  /** Sends one signed test delivery (event `test`) to a saved webhook now, not queued or retried, and answers what the receiver said. */
  testWebhook: command<WebhookTestResult>()(z.strictObject({ id: z.string().min(1).max(64) })),
  /** Removes a webhook; deliveries still pending for it are dropped. */
  deleteWebhook: command<{ id: string }>()(z.strictObject({ id: z.string().min(1).max(64) })),
} as const;

/** Webhooks and pipelines: what runs unattended around a job. */
import { z } from 'zod';

/** `job.progress` goes out while a job runs, throttled by the `progressWebhookSeconds` setting. */
export const WEBHOOK_EVENTS = ['job.started', 'job.progress', 'job.paused', 'job.completed', 'job.failed', 'job.canceled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const httpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address');

export const webhookInput = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  url: httpUrl,
  /** Signs every delivery (HMAC-SHA256); required when creating, write-only afterwards. */
  secret: z.string().min(16, 'a webhook secret has at least 16 characters').max(256).optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).default(['job.completed', 'job.failed']),
  /** Only jobs of this destination; null: every job. */
  destinationId: z.string().min(1).max(64).nullable().default(null),
  enabled: z.boolean().default(true),
});

export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  destinationId: string | null;
  enabled: boolean;
  hasSecret: boolean;
  createdAt: number;
}

/** What a webhook's test delivery met: the receiver's answer (or none) and how long it took. */
export interface WebhookTestResult {
  ok: boolean;
  /** The HTTP status, or null when no answer came (refused, name not found, timed out). */
  status: number | null;
  durationMs: number;
  /** In plain words: "The receiver answered 200 OK in 35 ms." */
  message: string;
}

/** An approval gate: the step waits in `awaiting_approval` until approved, rejected or timed out. */
export const gateSchema = z.strictObject({
  /** Shown to whoever approves. */
  prompt: z.string().max(500).default('Approve the next step?'),
  /** After this long without a decision, `onTimeout` decides; absent: wait for ever. */
  timeoutMs: z.number().int().min(1000).max(30 * 24 * 3600 * 1000).optional(),
  onTimeout: z.enum(['approve', 'reject']).default('reject'),
});

/** A follow-up step, started when the job before it completes successfully. */
export const pipelineStep = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('verify'), gate: gateSchema.optional() }),
  z.strictObject({
    kind: z.literal('command'),
    gate: gateSchema.optional(),
    program: z.string().min(1).max(4096),
    /** `{path}`, `{name}` and `{meta.<field>}` are replaced with the dataset's values. */
    args: z.array(z.string().max(65536)).max(1024).default([]),
    cwd: z.string().min(1).max(4096).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(65536)).optional(),
    timeoutMs: z.number().int().min(1).max(604_800_000).optional(),
  }),
]);
export type PipelineStep = z.output<typeof pipelineStep>;
export const pipelineSteps = z.array(pipelineStep).max(20);

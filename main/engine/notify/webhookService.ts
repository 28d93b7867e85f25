import { randomUUID } from 'node:crypto';
import { webhookInput, type WebhookEvent, type WebhookTestResult, type WebhookView } from '../../../shared/automation';
import { invalidInput, notFound } from '../../../shared/errors';
import type { JobView } from '../../../shared/model';
import type { Db } from '../db/database';
import { WebhooksRepo, type WebhookRow } from '../db/webhooksRepo';
import type { SecretStore } from '../secrets/secretStore';
import { WebhookDispatcher, type DeliveryReport, type PendingDelivery, type WebhookConfig } from './webhooks';

const secretKey = (id: string) => `webhook:${id}`;
const PENDING_KEY = 'webhooks.pending';

export interface WebhookServiceDeps {
  db: Db;
  secrets: SecretStore;
  /** Persists small engine flags (the pending deliveries). */
  state: { get<T>(key: string, fallback: T): T; put(key: string, value: unknown): void };
  onDelivery: (report: DeliveryReport) => void;
}

/** Saved webhooks (secrets in the secret store) and the dispatcher that delivers to them. */
export class WebhookService {
  readonly dispatcher: WebhookDispatcher;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly repo: WebhooksRepo;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.repo = new WebhooksRepo(deps.db);
    this.dispatcher = new WebhookDispatcher({
      webhooks: this.configs(),
      onDelivery: deps.onDelivery,
      onQueueChange: () => this.savePendingSoon(),
    });
    this.dispatcher.restore(deps.state.get<PendingDelivery[]>(PENDING_KEY, []));
  }

  private rows(): WebhookRow[] {
    return this.repo.list();
  }

  private configs(): WebhookConfig[] {
    return this.rows()
      .map((r) => ({
        id: r.id,
        url: r.url,
        secret: this.deps.secrets.get(secretKey(r.id)) ?? '',
        events: JSON.parse(r.events) as WebhookEvent[],
        destinationId: r.destination_id,
        enabled: r.enabled === 1,
      }))
      .filter((c) => c.secret.length >= 16);
  }

  private view(r: WebhookRow): WebhookView {
    return {
      id: r.id,
      url: r.url,
      events: JSON.parse(r.events) as WebhookEvent[],
      destinationId: r.destination_id,
      enabled: r.enabled === 1,
      hasSecret: this.deps.secrets.has(secretKey(r.id)),
      createdAt: r.created_at,
    };
  }

  list(): WebhookView[] {
    return this.rows().map((r) => this.view(r));
  }

  save(raw: unknown): WebhookView {
    const input = webhookInput.parse(raw);
    const id = input.id ?? randomUUID();
    const existing = this.repo.get(id);
    if (input.id && !existing) throw notFound(`saveWebhook: webhook ${JSON.stringify(input.id)} does not exist`);
    if (!existing && !input.secret) throw invalidInput('saveWebhook: a new webhook needs a secret (at least 16 characters) to sign its deliveries');
    this.repo.upsert({ id, url: input.url, events: JSON.stringify(input.events), destination_id: input.destinationId, enabled: input.enabled ? 1 : 0 });
    if (input.secret) this.deps.secrets.set(secretKey(id), input.secret);
    this.dispatcher.setWebhooks(this.configs());
    return this.view(this.repo.get(id)!);
  }

  delete(id: string): void {
    if (!this.repo.delete(id)) throw notFound(`deleteWebhook: webhook ${JSON.stringify(id)} does not exist`);
    this.deps.secrets.delete(secretKey(id));
    this.dispatcher.setWebhooks(this.configs());
  }

  /** One signed test delivery to a saved webhook, enabled or not, sent now and not retried. */
  async sendTest(id: string): Promise<WebhookTestResult> {
    const row = this.repo.get(id);
    if (!row) throw notFound(`testWebhook: webhook ${JSON.stringify(id)} does not exist`);
    const secret = this.deps.secrets.get(secretKey(id));
    if (!secret) throw invalidInput(`testWebhook: webhook ${JSON.stringify(id)} has no signing secret; set one first`);
    return this.dispatcher.sendTest({ id, url: row.url, secret });
  }

  notify(event: WebhookEvent, job: JobView): void {
    this.dispatcher.notify(event, job);
  }

  private savePendingSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.savePending();
    }, 200);
    this.saveTimer.unref();
  }

  private savePending(): void {
    this.deps.state.put(PENDING_KEY, this.dispatcher.pending());
  }

  /** Keeps what was not delivered for the next start. */
  close(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.savePending();
    this.dispatcher.close();
  }
}

import type { Db } from './database';

/** A webhooks row as stored. Its signing secret is not here: it lives in the secret store. */
export interface WebhookRow {
  id: string;
  url: string;
  /** The events it is sent, as a JSON array. */
  events: string;
  destination_id: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** What a save writes; the creation time is kept when the webhook exists. */
export type WebhookWrite = Omit<WebhookRow, 'created_at' | 'updated_at'>;

/** Every operation on the webhooks table: the only place its SQL is written. */
export interface WebhooksTable {
  /** Oldest first. */
  list(): WebhookRow[];
  get(id: string): WebhookRow | undefined;
  /** Inserts a webhook or updates everything but its creation time. */
  upsert(row: WebhookWrite, now?: number): void;
  /** Answers whether there was such a webhook. */
  delete(id: string): boolean;
}

export class WebhooksRepo implements WebhooksTable {
  constructor(private readonly db: Db) {}

  list(): WebhookRow[] {
    return this.db.prepare('SELECT * FROM webhooks ORDER BY created_at').all() as WebhookRow[];
  }

  get(id: string): WebhookRow | undefined {
    return this.db.prepare('SELECT * FROM webhooks WHERE id = ?').get(id) as WebhookRow | undefined;
  }

  upsert(row: WebhookWrite, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO webhooks (id, url, events, destination_id, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET url = excluded.url, events = excluded.events, destination_id = excluded.destination_id,
           enabled = excluded.enabled, updated_at = excluded.updated_at`,
      )
      .run(row.id, row.url, row.events, row.destination_id, row.enabled, now, now);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }
}

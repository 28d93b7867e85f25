import { randomUUID } from 'node:crypto';
import {
  destinationInput,
  folderConfig,
  s3Config,
  tusConfig,
  type DestinationConfig,
  type DestinationInput,
  type DestinationTest,
  type DestinationView,
} from '../../../shared/destinations';
import { conflict, FerryError, invalidInput, notFound } from '../../../shared/errors';
import type { Db } from '../db/database';
import type { SecretStore } from '../secrets/secretStore';
import type { UploadProtocol } from '../upload/protocol';
import { DestinationsRepo, type DestinationRow } from './destinationsRepo';
import { createProtocol, type ResolvedDestination } from './protocolFactory';
import { testDestination } from './testConnection';

export const BUILTIN_ID = 'builtin';

const secretKey = (id: string) => `destination:${id}`;

/** Destinations: saved, editable, testable; the built-in receiver is always there. */
export class DestinationService {
  readonly repo: DestinationsRepo;

  constructor(
    db: Db,
    private readonly secrets: SecretStore,
    /** The built-in receiver's tus endpoint (and token, while shared), when the host runs one. */
    private readonly builtin: () => { url: string; token?: string } | undefined,
    /** Bytes per request to the built-in receiver (the chunk size setting). */
    private readonly receiverRequestBytes: () => number,
  ) {
    this.repo = new DestinationsRepo(db);
    if (!this.repo.get(BUILTIN_ID)) {
      this.repo.upsert({ id: BUILTIN_ID, name: 'This computer (built-in receiver)', kind: 'receiver', config: '{}' });
    }
    if (!this.repo.defaultRow()) this.repo.setDefault(BUILTIN_ID);
  }

  list(): DestinationView[] {
    return this.repo.list().map((r) => this.view(r));
  }

  get(id: string): DestinationView {
    return this.view(this.row(id));
  }

  private row(id: string): DestinationRow {
    const row = this.repo.get(id);
    if (!row) throw notFound(`destination ${JSON.stringify(id)} does not exist`, { id });
    return row;
  }

  /** The id to use when none is given: the default destination. */
  resolveId(id: string | undefined): string {
    if (id) return this.row(id).id;
    return this.repo.defaultRow()?.id ?? BUILTIN_ID;
  }

  save(raw: DestinationInput): DestinationView {
    const input = destinationInput.parse(raw);
    const id = input.id ?? randomUUID();
    if (id === BUILTIN_ID) throw conflict('saveDestination: the built-in receiver cannot be edited');
    const existing = input.id ? this.repo.get(input.id) : undefined;
    if (input.id && !existing) throw notFound(`saveDestination: destination ${JSON.stringify(input.id)} does not exist`);
    if (existing && existing.kind !== input.kind) throw conflict(`saveDestination: destination ${id} is ${existing.kind}; create a new one for ${input.kind}`);
    if (input.kind === 's3' && !input.secret && !this.secrets.has(secretKey(id))) {
      throw invalidInput('saveDestination: an S3 destination needs its secret access key');
    }
    this.repo.upsert({ id, name: input.name, kind: input.kind, config: JSON.stringify(input.config) });
    if ('secret' in input && input.secret) this.secrets.set(secretKey(id), JSON.stringify(input.secret));
    return this.get(id);
  }

  delete(id: string): void {
    if (id === BUILTIN_ID) throw conflict('deleteDestination: the built-in receiver cannot be removed');
    const row = this.row(id);
    const active = this.repo.activeJobs(id);
    if (active > 0) throw conflict(`deleteDestination: ${active} unfinished job(s) still use ${row.name}`);
    if (row.is_default) this.repo.setDefault(BUILTIN_ID);
    this.repo.delete(id);
    this.secrets.delete(secretKey(id));
  }

  setDefault(id: string): DestinationView {
    this.row(id);
    this.repo.setDefault(id);
    return this.get(id);
  }

  /** Config plus secret, for the engine's own use: never sent to a client. */
  resolve(id: string): ResolvedDestination {
    const row = this.row(id);
    const secretRaw = this.secrets.get(secretKey(id));
    const secret = secretRaw ? (JSON.parse(secretRaw) as Record<string, string>) : undefined;
    const builtin = this.builtin();
    return { id, name: row.name, ...this.config(row), secret, builtinUrl: builtin?.url, builtinToken: builtin?.token };
  }

  protocol(id: string): UploadProtocol {
    return createProtocol(this.resolve(id), { receiverRequestBytes: this.receiverRequestBytes() });
  }

  test(id: string, signal?: AbortSignal): Promise<DestinationTest> {
    return testDestination(this.resolve(id), signal);
  }

  private config(row: DestinationRow): DestinationConfig {
    const parsed = JSON.parse(row.config) as unknown;
    switch (row.kind) {
      case 'receiver':
        return { kind: 'receiver', config: {} };
      case 'tus':
        return { kind: 'tus', config: tusConfig.parse(parsed) };
      case 's3':
        return { kind: 's3', config: s3Config.parse(parsed) };
      case 'folder':
        return { kind: 'folder', config: folderConfig.parse(parsed) };
      default:
        throw new FerryError('INTERNAL', `destination ${row.id} has an unknown kind ${String(row.kind)}`);
    }
  }

  private view(row: DestinationRow): DestinationView {
    const cfg = this.config(row);
    return {
      ...cfg,
      id: row.id,
      name: row.name,
      isDefault: row.is_default === 1,
      hasSecret: this.secrets.has(secretKey(row.id)),
      summary: summaryOf(cfg, this.builtin()?.url),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    } as DestinationView;
  }
}

function summaryOf(cfg: DestinationConfig, builtinUrl: string | undefined): string {
  switch (cfg.kind) {
    case 'receiver':
      return builtinUrl ? `Built-in receiver at ${new URL(builtinUrl).host}` : 'Built-in receiver (not running)';
    case 'tus':
      return cfg.config.endpoint;
    case 's3':
      return `s3://${cfg.config.bucket}/${cfg.config.prefix}${cfg.config.endpoint ? ` at ${new URL(cfg.config.endpoint).host}` : ''}`;
    case 'folder':
      return cfg.config.path;
  }
}

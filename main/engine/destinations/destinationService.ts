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
import type { JobsTable } from '../db/jobsRepo';
import type { SecretStore } from '../secrets/secretStore';
import type { UploadProtocol } from '../upload/protocol';
import { DestinationsRepo, type DestinationRow } from '../db/destinationsRepo';
import { createProtocol, type ResolvedDestination } from './protocolFactory';
import { testDestination } from './testConnection';
import { assertStorableFolder } from './folderPlace';

export const BUILTIN_ID = 'builtin';

const secretKey = (id: string) => `destination:${id}`;

/** A stored secret and the endpoint origin it was entered for (absent in secrets saved before binding). */
interface StoredSecret {
  boundTo?: string;
  secret: Record<string, string>;
}

/**
 * Where a destination's secret is sent: the origin of its endpoint (S3 without an endpoint: AWS's
 * regional one). A secret is only ever sent there; changing it needs the secret entered again.
 */
function endpointOrigin(cfg: DestinationConfig): string | undefined {
  switch (cfg.kind) {
    case 'tus':
      return new URL(cfg.config.endpoint).origin;
    case 's3':
      return cfg.config.endpoint ? new URL(cfg.config.endpoint).origin : `https://s3.${cfg.config.region}.amazonaws.com`;
    default:
      return undefined;
  }
}

/** Destinations: saved, editable, testable; the built-in receiver is always there. */
export class DestinationService {
  readonly repo: DestinationsRepo;

  constructor(
    db: Db,
    /** Jobs, to refuse deleting a destination that unfinished jobs still use. */
    private readonly jobs: Pick<JobsTable, 'unfinishedFor'>,
    private readonly secrets: SecretStore,
    /** The built-in receiver's tus endpoint (and token, while shared), when the host runs one. */
    private readonly builtin: () => { url: string; token?: string } | undefined,
    /** Bytes per request to the built-in receiver (the chunk size setting). */
    private readonly receiverRequestBytes: () => number,
    /** Why a folder destination may not write a path (Ferry's own data directory). */
    private readonly refusePath?: (target: string) => string | undefined,
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

  async save(raw: DestinationInput): Promise<DestinationView> {
    const input = destinationInput.parse(raw);
    if (input.kind === 'folder') await assertStorableFolder('saveDestination', input.config.path);
    const id = input.id ?? randomUUID();
    if (id === BUILTIN_ID) throw conflict('saveDestination: the built-in receiver cannot be edited');
    const existing = input.id ? this.repo.get(input.id) : undefined;
    if (input.id && !existing) throw notFound(`saveDestination: destination ${JSON.stringify(input.id)} does not exist`);
    if (existing && existing.kind !== input.kind) throw conflict(`saveDestination: destination ${id} is ${existing.kind}; create a new one for ${input.kind}`);
    const newSecret = 'secret' in input ? input.secret : undefined;
    const origin = endpointOrigin(input as DestinationConfig);
    const stored = this.storedSecret(id);
    if (existing && stored && !newSecret) {
      // A kept secret must not follow the destination to another host ("Test connection" would send it there).
      const was = stored.boundTo ?? endpointOrigin(this.config(existing));
      if (was !== origin) {
        throw invalidInput(`saveDestination: the endpoint moved from ${was} to ${origin}; enter the secret again (a saved secret is only sent to the endpoint it was entered for)`, {
          field: 'secret',
          reason: 'endpointChanged',
        });
      }
    }
    if (input.kind === 's3' && !newSecret && !stored) {
      throw invalidInput('saveDestination: an S3 destination needs its secret access key');
    }
    this.repo.upsert({ id, name: input.name, kind: input.kind, config: JSON.stringify(input.config) });
    if (newSecret) this.secrets.set(secretKey(id), JSON.stringify({ boundTo: origin, secret: newSecret } satisfies StoredSecret));
    return this.get(id);
  }

  delete(id: string): void {
    if (id === BUILTIN_ID) throw conflict('deleteDestination: the built-in receiver cannot be removed');
    const row = this.row(id);
    const active = this.jobs.unfinishedFor(id);
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
    const cfg = this.config(row);
    const stored = this.storedSecret(id);
    // Never hand out a secret for an endpoint other than the one it was entered for.
    const secret = stored && (stored.boundTo === undefined || stored.boundTo === endpointOrigin(cfg)) ? stored.secret : undefined;
    const builtin = this.builtin();
    return { id, name: row.name, ...cfg, secret, builtinUrl: builtin?.url, builtinToken: builtin?.token };
  }

  private storedSecret(id: string): StoredSecret | undefined {
    const raw = this.secrets.get(secretKey(id));
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    // Saved before secrets were bound: the plain secret, bound to the endpoint saved with it.
    if (typeof parsed.boundTo === 'string' && parsed.secret && typeof parsed.secret === 'object') return parsed as unknown as StoredSecret;
    return { secret: parsed as Record<string, string> };
  }

  /**
   * Refuses, before a job sends anything, a destination that cannot store files: a folder saved
   * before such places were refused at saving, or a link that now leads into one.
   */
  async checkStorable(id: string): Promise<void> {
    const dest = this.resolve(id);
    if (dest.kind === 'folder') await assertStorableFolder(`destination ${dest.name}`, dest.config.path);
  }

  protocol(id: string): UploadProtocol {
    return createProtocol(this.resolve(id), { receiverRequestBytes: this.receiverRequestBytes(), ...(this.refusePath ? { refusePath: this.refusePath } : {}) });
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

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where destination secrets live. Secrets never leave the main process. */
export interface SecretStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  has(key: string): boolean;
}

/** How a store turns a secret into bytes at rest and back (plain for the web host's 0600 file). */
export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

const plainCodec: SecretCodec = { encode: (s) => s, decode: (s) => s };

/**
 * Secrets in one JSON file readable only by the user (0600), written atomically. The desktop host
 * passes a codec backed by the OS keychain (Electron safeStorage); the web host stores them as is,
 * protected by the file's permissions.
 */
export class FileSecretStore implements SecretStore {
  private cache: Record<string, string> | undefined;

  constructor(
    readonly path: string,
    private readonly codec: SecretCodec = plainCodec,
  ) {}

  private load(): Record<string, string> {
    if (!this.cache) {
      this.cache = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {};
    }
    return this.cache;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.load(), null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  get(key: string): string | undefined {
    const stored = this.load()[key];
    return stored === undefined ? undefined : this.codec.decode(stored);
  }

  has(key: string): boolean {
    return this.load()[key] !== undefined;
  }

  set(key: string, value: string): void {
    this.load()[key] = this.codec.encode(value);
    this.save();
  }

  delete(key: string): void {
    if (!(key in this.load())) return;
    delete this.load()[key];
    this.save();
  }
}

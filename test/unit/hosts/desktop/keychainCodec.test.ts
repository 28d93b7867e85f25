import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../../main/engine/secrets/secretStore';
import { keychainCodec, keychainProblem, type Keychain } from '../../../../main/hosts/desktop/keychainCodec';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

/** An OS keychain as safeStorage presents it: real AES-GCM under a key only it holds. */
function keychain(backend: string, available = true): Keychain {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('secrets in the OS keychain', () => {
  let dir: TmpDir | undefined;
  afterEach(async () => {
    await dir?.cleanup();
    dir = undefined;
  });

  it('stores a secret encrypted by the keychain, and reads it back after a restart', () => {
    dir = makeTmpDir('ferry-keychain-');
    const file = join(dir.dir, 'secrets.json');
    const chain = keychain('gnome_libsecret');
    new FileSecretStore(file, keychainCodec(chain, 'linux')).set('webhook:1', 'a-long-enough-secret-1234');
    expect(readFileSync(file, 'utf8')).not.toContain('a-long-enough-secret-1234');
    expect(new FileSecretStore(file, keychainCodec(chain, 'linux')).get('webhook:1')).toBe('a-long-enough-secret-1234');
    // Another key (another user, another machine) cannot read it.
    expect(() => new FileSecretStore(file, keychainCodec(keychain('gnome_libsecret'), 'linux')).get('webhook:1')).toThrow();
  });

  it("refuses to store anything where Linux has no keychain running (safeStorage's hard-coded key)", () => {
    dir = makeTmpDir('ferry-keychain-');
    const file = join(dir.dir, 'secrets.json');
    const store = new FileSecretStore(file, keychainCodec(keychain('basic_text'), 'linux'));
    expect(() => store.set('webhook:1', 'secret')).toThrow('no keychain (libsecret or kwallet) is running: secrets cannot be stored safely');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses where the OS offers no encryption at all; macOS and Windows need no backend check', () => {
    expect(keychainProblem(keychain('unknown', false), 'darwin')).toBe('the OS keychain is not available: secrets cannot be stored safely');
    expect(keychainProblem(keychain('basic_text'), 'linux')).toMatch(/no keychain/);
    expect(keychainProblem(keychain('unknown'), 'darwin')).toBeNull();
    expect(keychainProblem(keychain('unknown'), 'win32')).toBeNull();
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) expect(keychainProblem(keychain(backend), 'linux')).toBeNull();
  });
});

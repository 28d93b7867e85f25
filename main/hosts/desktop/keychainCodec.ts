import type { SecretCodec } from '../../engine';

/** The part of Electron's safeStorage that Ferry uses. */
export interface Keychain {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Why secrets cannot be stored with this keychain, or null when they can. Where the OS offers no
 * keychain, safeStorage would fall back to a hard-coded key (Linux's `basic_text`): refuse rather
 * than pretend.
 */
export function keychainProblem(keychain: Pick<Keychain, 'isEncryptionAvailable' | 'getSelectedStorageBackend'>, platform: NodeJS.Platform): string | null {
  if (!keychain.isEncryptionAvailable()) return 'the OS keychain is not available: secrets cannot be stored safely';
  if (platform === 'linux' && keychain.getSelectedStorageBackend() === 'basic_text') return 'no keychain (libsecret or kwallet) is running: secrets cannot be stored safely';
  return null;
}

/** Secrets at rest encrypted by the OS keychain (Keychain, DPAPI, libsecret/kwallet), as base64. */
export function keychainCodec(keychain: Keychain, platform: NodeJS.Platform): SecretCodec {
  return {
    encode(plain) {
      const problem = keychainProblem(keychain, platform);
      if (problem) throw new Error(problem);
      return keychain.encryptString(plain).toString('base64');
    },
    decode: (stored) => keychain.decryptString(Buffer.from(stored, 'base64')),
  };
}

import { safeStorage } from 'electron';
import type { SecretCodec } from '../../engine/index';

/**
 * Secrets at rest encrypted by the OS keychain (Keychain, DPAPI, libsecret/kwallet). Where the OS
 * offers no keychain, safeStorage would fall back to a hard-coded key: refuse rather than pretend.
 */
export function safeStorageCodec(): SecretCodec {
  return {
    encode(plain) {
      if (!safeStorage.isEncryptionAvailable()) throw new Error('the OS keychain is not available: secrets cannot be stored safely');
      if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
        throw new Error('no keychain (libsecret or kwallet) is running: secrets cannot be stored safely');
      }
      return safeStorage.encryptString(plain).toString('base64');
    },
    decode(stored) {
      return safeStorage.decryptString(Buffer.from(stored, 'base64'));
    },
  };
}

import type { FerryBridge } from '../../shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web host, where the WebSocket bridge is used. */
    ferry?: FerryBridge;
    /** Desktop-only helpers of the preload (absent in the web host). */
    ferryDesktop?: { pathForFile(file: File): string };
  }
}

export {};

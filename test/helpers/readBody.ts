import type { IncomingMessage } from 'node:http';

/** The whole body of a request (or response) exactly as it came off the wire. */
export function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    message.on('data', (chunk: Buffer) => parts.push(chunk));
    message.on('end', () => resolve(Buffer.concat(parts)));
    message.on('error', reject);
  });
}

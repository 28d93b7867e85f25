import type { IncomingMessage } from 'node:http';

export interface ReadBodyOptions {
  /** Past this many bytes the read stops: the message is destroyed and the promise rejects. */
  maxBytes?: number;
  /** The error a body over `maxBytes` rejects with. */
  tooLarge?: (maxBytes: number) => Error;
}

/** The whole body of a request (or response) exactly as it came off the wire. */
export function readBody(message: IncomingMessage, options: ReadBodyOptions = {}): Promise<Buffer> {
  const { maxBytes, tooLarge = (max: number) => new Error(`body larger than ${max} bytes`) } = options;
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    message.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (maxBytes !== undefined && size > maxBytes) {
        reject(tooLarge(maxBytes));
        message.destroy();
        return;
      }
      parts.push(chunk);
    });
    message.on('end', () => resolve(Buffer.concat(parts)));
    message.on('error', reject);
  });
}

import { request } from 'node:http';

/** One server-sent event as a test sees it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseRead {
  status: number;
  contentType: string;
  events: SseEvent[];
  /** Everything the stream sent, as text. */
  body: string;
}

/**
 * Reads the server-sent events of `url` from a raw request until `stop` says so (then drops the
 * connection) or the server ends the stream; answers what came. `onOpen` runs once the head is in.
 */
export function readSse(url: string | URL, headers: Record<string, string>, stop: (events: SseEvent[]) => boolean, onOpen?: () => void): Promise<SseRead> {
  return new Promise((resolve, reject) => {
    const at = new URL(url);
    const req = request({ host: at.hostname, port: at.port, path: at.pathname + at.search, headers }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      let body = '';
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        req.destroy();
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), events, body });
      };
      res.setEncoding('utf8');
      onOpen?.();
      res.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.event) events.push({ ...(fields.id !== undefined ? { id: fields.id } : {}), event: fields.event, data: fields.data ?? '' });
          if (stop(events)) return finish();
        }
      });
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', reject);
    req.end();
  });
}

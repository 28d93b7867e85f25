/**
 * An independent @tus/server with a FileStore, as a process of its own (as a user runs one): the
 * directory is argv[2]; prints `listening <port>` once it listens on 127.0.0.1.
 */
import http from 'node:http';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: process.argv[2] }) });
// @tus/server 2 answers through web streams, which throw ERR_INVALID_STATE when a client aborts a
// GET it was reading (a verify that stops early, a reset connection); that is the client's doing,
// not a reason for the server to die.
process.on('uncaughtException', (err) => {
  if (err && err.code === 'ERR_INVALID_STATE') return;
  console.error(err);
  process.exit(1);
});
const server = http.createServer((req, res) => void tus.handle(req, res));
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));

/**
 * What the benchmarks drive, bundled by the same build as the app (`out/main/bench.js`), so the
 * figures are of the code that ships.
 */
// What hosts use comes through the engine's front door; the protocol benchmarks look behind it,
// as the tests do.
export { Engine, LogStore, followLog, dispatchCommand } from '../main/engine/index';
export { startServices } from '../main/hosts/bootstrap';
export { startReceiver } from '../main/receiver/receiver';
export { TusProtocol } from '../main/engine/upload/tusProtocol';
export { S3Protocol } from '../main/engine/upload/s3Protocol';
export { FolderProtocol } from '../main/engine/upload/folderProtocol';
export { uploadFile } from '../main/engine/upload/uploadFile';
export { DEFAULT_SETTINGS } from '../shared/settings';

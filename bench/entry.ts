/**
 * What the benchmarks drive, bundled by the same build as the app (`out/main/bench.js`), so the
 * figures are of the code that ships.
 */
export { Engine } from '../main/engine/engine';
export { startServices } from '../main/hosts/bootstrap';
export { startReceiver } from '../main/receiver/receiver';
export { TusProtocol } from '../main/engine/upload/tusProtocol';
export { S3Protocol } from '../main/engine/upload/s3Protocol';
export { FolderProtocol } from '../main/engine/upload/folderProtocol';
export { uploadFile } from '../main/engine/upload/uploadFile';
export { LogStore } from '../main/engine/logs/logStore';
export { followLog } from '../main/engine/logs/followers';
export { dispatchCommand } from '../main/engine/api/dispatch';
export { DEFAULT_SETTINGS } from '../shared/settings';

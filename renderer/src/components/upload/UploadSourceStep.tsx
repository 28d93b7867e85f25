/**
 * What to upload: a drop zone, the OS dialog (desktop) or the browser's file picker (web), and
 * the local browser.
 */
import { useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { goTo } from '../../store/actions/navigation';
import { closeNewUpload, handleDrop, handleFileInput, pickPaths } from '../../store/actions/upload';
import { selectCapabilities } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { FileIcon, FolderIcon, UploadIcon } from '../common/icons';

export function UploadSourceStep(): ReactElement {
  const caps = useFerryStore(selectCapabilities);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div className="upload-source">
      <div
        className={`drop-zone${over ? ' drop-zone-over' : ''}`}
        data-testid="upload-drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          event.stopPropagation();
          setOver(false);
          handleDrop(event.dataTransfer);
        }}
      >
        <span className="drop-zone-icon">
          <UploadIcon />
        </span>
        <p className="drop-zone-title">Drop files or folders here</p>
        <p className="drop-zone-hint">Folders keep their structure; each upload becomes one dataset.</p>
      </div>
      <div className="upload-source-actions">
        {caps?.pickPaths ? (
          <>
            <button type="button" className="btn" onClick={() => void pickPaths('files')}>
              <FileIcon />
              Choose files…
            </button>
            <button type="button" className="btn" onClick={() => void pickPaths('folders')}>
              <FolderIcon />
              Choose folder…
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn" onClick={() => filesInput.current?.click()}>
              <FileIcon />
              Choose files…
            </button>
            <button type="button" className="btn" onClick={() => folderInput.current?.click()}>
              <FolderIcon />
              Choose folder…
            </button>
            <input ref={filesInput} type="file" multiple hidden aria-label="Files to upload" onChange={(e) => handleFileInput(e.target.files)} />
            <input
              ref={folderInput}
              type="file"
              hidden
              aria-label="Folder to upload"
              {...{ webkitdirectory: '' }}
              onChange={(e) => handleFileInput(e.target.files)}
            />
          </>
        )}
        <button
          type="button"
          className="btn btn-ghost upload-source-browse"
          onClick={() => {
            closeNewUpload();
            goTo('browse');
          }}
        >
          Browse this computer…
        </button>
      </div>
    </div>
  );
}

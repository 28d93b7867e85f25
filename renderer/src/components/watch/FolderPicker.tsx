/** A small folder browser for the rule editor (the web host has no OS dialog): places, up, folders. */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { DirectoryListing, Place } from '../../../../shared/files';
import { describeError } from '../../store/actions/toasts';
import { ferry } from '../../transport';
import { ChevronUpIcon, DriveIcon, FolderIcon, HomeIcon } from '../common/icons';

const PLACE_ICONS = { home: HomeIcon, volume: DriveIcon, root: DriveIcon } as const;

interface FolderPickerProps {
  /** Where to open: the path typed so far, else home. */
  start: string;
  onPick: (path: string) => void;
  onCancel: () => void;
}

export function FolderPicker({ start, onPick, onCancel }: FolderPickerProps): ReactElement {
  const [places, setPlaces] = useState<Place[]>([]);
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const open = async (path: string) => {
    setLoading(true);
    try {
      setListing(await ferry.listDirectory({ path, showHidden: false }));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    let live = true;
    void ferry
      .listPlaces({})
      .then((list) => {
        if (!live) return;
        setPlaces(list);
        const home = list.find((p) => p.kind === 'home') ?? list[0];
        const first = start.trim() || home?.path;
        if (first) void open(first);
      })
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
    // Opens once, where the editor's path pointed when the picker appeared.
  }, []);

  const folders = listing?.entries.filter((e) => e.kind === 'folder') ?? [];
  return (
    <div className="folder-picker" data-testid="watch-folder-picker">
      <div className="folder-picker-places" role="toolbar" aria-label="Places">
        {places.map((p) => {
          const Icon = PLACE_ICONS[p.kind];
          return (
            <button key={p.path} type="button" className="btn btn-small" onClick={() => void open(p.path)}>
              <Icon /> {p.name}
            </button>
          );
        })}
      </div>
      <div className="folder-picker-where">
        <button type="button" className="btn btn-icon btn-small" aria-label="Up one folder" title="Up" disabled={!listing?.parent || loading} onClick={() => listing?.parent && void open(listing.parent)}>
          <ChevronUpIcon />
        </button>
        <span className="folder-picker-path" title={listing?.path}>
          {listing?.path ?? '…'}
        </span>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="folder-picker-list" aria-label="Folders" aria-busy={loading}>
        {folders.length === 0 && listing ? <li className="folder-picker-empty">No folders here</li> : null}
        {folders.map((f) => (
          <li key={f.path}>
            <button type="button" className="folder-picker-entry" disabled={!f.readable} onDoubleClick={() => onPick(f.path)} onClick={() => void open(f.path)}>
              <FolderIcon /> {f.name}
            </button>
          </li>
        ))}
      </ul>
      <div className="folder-picker-actions">
        <button type="button" className="btn btn-small" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-small btn-primary" disabled={!listing} onClick={() => listing && onPick(listing.path)}>
          Watch this folder
        </button>
      </div>
    </div>
  );
}

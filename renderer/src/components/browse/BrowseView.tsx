/**
 * The local file browser: places, breadcrumbs and a path field, the folder's entries with sizes
 * (folders counted lazily while in view), hidden files on request, and "Upload selected".
 */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../../../../shared/format';
import { pathCrumbs } from '../../lib/pathCrumbs';
import { plural } from '../../../../shared/plural';
import { loadPlaces, openFolder, reloadFolder, setShowHidden } from '../../store/actions/browse';
import { uploadPaths } from '../../store/actions/upload';
import { useFerryStore } from '../../store/store';
import { EmptyState } from '../common/EmptyState';
import { AlertIcon, ChevronRightIcon, DriveIcon, FolderIcon, HomeIcon, RetryIcon, UploadIcon } from '../common/icons';
import { EntryTable } from './EntryTable';
import './BrowseView.css';

const PLACE_ICONS = { home: HomeIcon, volume: DriveIcon, root: DriveIcon } as const;

function PathBar({ path }: { path: string }): ReactElement {
  const [draft, setDraft] = useState(path);
  const [editing, setEditing] = useState(false);
  // The field shows where we are, except while someone is typing a place to go.
  useEffect(() => {
    if (!editing) setDraft(path);
  }, [path, editing]);
  const crumbs = pathCrumbs(path);
  return (
    <div className="path-bar">
      <nav className="crumbs" aria-label="Folder path">
        <ol>
          {crumbs.map((crumb, i) => (
            <li key={crumb.path}>
              {i > 0 ? <ChevronRightIcon className="crumb-sep" aria-hidden="true" /> : null}
              <button type="button" className="crumb" aria-current={i === crumbs.length - 1 ? 'location' : undefined} onClick={() => void openFolder(crumb.path)}>
                {crumb.name}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <form
        noValidate
        className="path-go"
        onSubmit={(event) => {
          event.preventDefault();
          setEditing(false);
          if (draft.trim()) void openFolder(draft.trim());
        }}
      >
        <input
          className="input input-mono"
          aria-label="Go to folder"
          value={draft}
          onChange={(e) => {
            setEditing(true);
            setDraft(e.target.value);
          }}
          onBlur={() => setEditing(false)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setEditing(false);
              setDraft(path);
            }
          }}
          spellCheck={false}
        />
        <button type="submit" className="btn">
          Go
        </button>
      </form>
    </div>
  );
}

export function BrowseView(): ReactElement {
  const { places, path, status, error, showHidden, listing } = useFerryStore(
    useShallow((s) => ({ places: s.browse.places, path: s.browse.path, status: s.browse.status, error: s.browse.error, showHidden: s.browse.showHidden, listing: s.browse.listing })),
  );
  const selected = useFerryStore((s) => s.browse.selected);
  const selectedPaths = Object.keys(selected);

  useEffect(() => {
    if (places.length === 0) void loadPlaces();
    else if (status === 'idle' && places[0]) void openFolder(places[0].path);
  }, [places, status]);

  return (
    <div className="screen browse-view">
      <header className="screen-header">
        <h1 className="screen-title">Browse</h1>
        <span className="screen-meta">{listing ? `${formatCount(listing.entries.length)} ${plural(listing.entries.length, 'item')}` : ''}</span>
        <div className="screen-actions">
          <label className="toggle-inline">
            <input type="checkbox" className="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
            Show hidden files
          </label>
          <button type="button" className="btn btn-icon btn-ghost" aria-label="Reload folder" title="Reload" onClick={reloadFolder}>
            <RetryIcon />
          </button>
          <button type="button" className="btn btn-primary" disabled={selectedPaths.length === 0} onClick={() => void uploadPaths(selectedPaths)}>
            <UploadIcon />
            {selectedPaths.length > 0 ? `Upload selected (${formatCount(selectedPaths.length)})` : 'Upload selected'}
          </button>
        </div>
      </header>
      <div className="browse-body">
        <nav className="places" aria-label="Places">
          <h2 className="sidebar-heading">Places</h2>
          <ul className="sidebar-list">
            {places.map((place) => {
              const Icon = PLACE_ICONS[place.kind] ?? FolderIcon;
              const active = path !== null && (path === place.path || (place.kind !== 'root' && path.startsWith(`${place.path}/`)));
              return (
                <li key={place.path}>
                  <button type="button" className={`sidebar-item${active ? ' sidebar-item-active' : ''}`} onClick={() => void openFolder(place.path)} title={place.path}>
                    <span className="sidebar-icon">
                      <Icon />
                    </span>
                    <span className="sidebar-label">{place.name}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
        <section className="browse-main" aria-label="Folder contents">
          {path ? <PathBar path={listing?.path ?? path} /> : null}
          {status === 'error' ? (
            <EmptyState
              glyph={<AlertIcon />}
              title="Cannot open this folder"
              hint={error ?? undefined}
              actions={
                listing ? (
                  <button type="button" className="btn" onClick={() => void openFolder(listing.path)}>
                    Back to {listing.name}
                  </button>
                ) : null
              }
            />
          ) : !listing ? (
            <EmptyState title="Loading…" />
          ) : listing.entries.length === 0 ? (
            <EmptyState glyph={<FolderIcon />} title="This folder is empty" hint={showHidden ? undefined : 'Hidden files are not shown.'} />
          ) : (
            <EntryTable listing={listing} />
          )}
        </section>
      </div>
    </div>
  );
}

/**
 * A folder's entries, virtualized. Click, Ctrl/Cmd-click and Shift-click select; double-click or
 * Enter opens a folder; Backspace goes up. Folder sizes are asked for while they are in view.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { KeyboardEvent, MouseEvent, ReactElement } from 'react';
import { formatBytes, formatCount, formatFullTimestamp, formatTimestamp } from '../../../../shared/format';
import type { DirectoryEntry, DirectoryListing } from '../../../../shared/files';
import { openFolder, selectBrowseEntries, summarizeVisible } from '../../store/actions/browse';
import type { SummaryState } from '../../store/browseSlice';
import { useFerryStore } from '../../store/store';
import { FileIcon, FolderIcon, LinkIcon } from '../common/icons';

const ROW = 32;

function FolderSize({ summary }: { summary: SummaryState | undefined }): ReactElement {
  if (!summary || summary.status === 'pending') return <span className="entry-counting">counting…</span>;
  if (summary.status === 'error') return <span className="muted">—</span>;
  const { files, bytes, truncated } = summary.summary;
  return (
    <span title={truncated ? 'Counting stopped early: at least this much' : undefined}>
      {formatBytes(bytes)}
      {truncated ? '+' : ''} <span className="muted">· {formatCount(files)} {files === 1 ? 'file' : 'files'}</span>
    </span>
  );
}

function EntryRow({ entry, top, selected, summary, onClick }: { entry: DirectoryEntry; top: number; selected: boolean; summary: SummaryState | undefined; onClick: (event: MouseEvent, entry: DirectoryEntry) => void }): ReactElement {
  const Icon = entry.kind === 'folder' ? FolderIcon : entry.kind === 'link' ? LinkIcon : FileIcon;
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`entry-row${selected ? ' entry-row-selected' : ''}${entry.readable ? '' : ' entry-row-unreadable'}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="browse-entry"
      data-name={entry.name}
      data-kind={entry.kind}
      onClick={(event) => onClick(event, entry)}
      onDoubleClick={() => {
        if (entry.kind === 'folder') void openFolder(entry.path);
      }}
    >
      <span role="gridcell" className="entry-cell entry-cell-check">
        <input
          type="checkbox"
          className="checkbox"
          checked={selected}
          aria-label={`Select ${entry.name}`}
          onClick={(event) => event.stopPropagation()}
          onChange={() => onClick({ metaKey: true, ctrlKey: true, shiftKey: false } as MouseEvent, entry)}
        />
      </span>
      <span role="gridcell" className="entry-cell entry-cell-name" title={entry.path}>
        <Icon className={entry.kind === 'folder' ? 'entry-icon-folder' : 'entry-icon'} />
        <span className="entry-name">{entry.name}</span>
      </span>
      <span role="gridcell" className="entry-cell entry-cell-size">
        {entry.kind === 'folder' ? <FolderSize summary={summary} /> : entry.size !== null ? formatBytes(entry.size) : '—'}
      </span>
      <span role="gridcell" className="entry-cell entry-cell-modified" title={formatFullTimestamp(entry.mtimeMs)}>
        {formatTimestamp(entry.mtimeMs)}
      </span>
    </div>
  );
}

export function EntryTable({ listing }: { listing: DirectoryListing }): ReactElement {
  const selected = useFerryStore((s) => s.browse.selected);
  const anchor = useFerryStore((s) => s.browse.anchor);
  const summaries = useFerryStore((s) => s.browse.summaries);
  const scrollRef = useRef<HTMLDivElement>(null);
  const entries = listing.entries;
  const virtualizer = useVirtualizer({ count: entries.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  // Count the folders in view, a few at a time.
  useEffect(() => {
    const visible = entries.slice(first, last + 1).filter((e) => e.kind === 'folder' && e.readable);
    summarizeVisible(visible.map((e) => e.path));
  }, [entries, first, last]);

  const onClick = (event: MouseEvent, entry: DirectoryEntry): void => {
    const toggle = event.metaKey || event.ctrlKey;
    if (event.shiftKey && anchor) {
      const a = entries.findIndex((e) => e.path === anchor);
      const b = entries.findIndex((e) => e.path === entry.path);
      const range = entries.slice(Math.min(a, b), Math.max(a, b) + 1).map((e) => e.path);
      selectBrowseEntries(toggle ? [...new Set([...Object.keys(selected), ...range])] : range, anchor);
    } else if (toggle) {
      const next = selected[entry.path] ? Object.keys(selected).filter((p) => p !== entry.path) : [...Object.keys(selected), entry.path];
      selectBrowseEntries(next, entry.path);
    } else selectBrowseEntries([entry.path], entry.path);
  };

  const onKey = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = anchor ? entries.findIndex((e) => e.path === anchor) : -1;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = entries[Math.min(entries.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next) {
        selectBrowseEntries([next.path], next.path);
        virtualizer.scrollToIndex(entries.indexOf(next), { align: 'auto' });
      }
    } else if (event.key === 'Enter' && index >= 0) {
      const entry = entries[index];
      if (entry?.kind === 'folder') void openFolder(entry.path);
    } else if (event.key === 'Backspace' && listing.parent) {
      event.preventDefault();
      void openFolder(listing.parent);
    } else if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      selectBrowseEntries(entries.map((e) => e.path), anchor);
    }
  };

  return (
    <div className="entry-table" role="grid" aria-label={`Contents of ${listing.name}`} aria-multiselectable="true" aria-rowcount={entries.length + 1}>
      <div className="entry-row entry-head" role="row">
        <span role="columnheader" className="entry-cell entry-cell-check">
          <input
            type="checkbox"
            className="checkbox"
            aria-label="Select all"
            checked={entries.length > 0 && entries.every((e) => selected[e.path])}
            onChange={(e) => selectBrowseEntries(e.target.checked ? entries.map((x) => x.path) : [], null)}
          />
        </span>
        <span role="columnheader" className="entry-cell">
          Name
        </span>
        <span role="columnheader" className="entry-cell entry-cell-size">
          Size
        </span>
        <span role="columnheader" className="entry-cell entry-cell-modified">
          Modified
        </span>
      </div>
      <div ref={scrollRef} className="entry-scroll" role="rowgroup" tabIndex={0} onKeyDown={onKey} data-own-keys>
        <div className="entry-inner" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const entry = entries[item.index];
            return entry ? <EntryRow key={entry.path} entry={entry} top={item.start} selected={selected[entry.path] === true} summary={summaries[entry.path]} onClick={onClick} /> : null;
          })}
        </div>
      </div>
    </div>
  );
}

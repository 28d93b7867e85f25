/**
 * A path in a narrow place: cut in the middle so its end (the file's name) stays readable, whole
 * on hover and to screen readers, selectable as one text, and copyable with one click.
 */
import type { ReactElement } from 'react';
import { copyAndTell } from '../../store/actions/toasts';
import { CopyIcon } from './icons';
import './PathText.css';

/** Characters of the end kept whole: a file's name, or its end when the name is long. */
const TAIL = 14;

/** The part kept whole at the end: the last segment when short, else the path's last characters. */
export function pathTail(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (cut >= 0 && path.length - cut <= TAIL + 1 && cut < path.length - 1) return path.slice(cut);
  return path.slice(-Math.min(TAIL, Math.floor(path.length / 2)));
}

const copyPath = (path: string): Promise<void> => copyAndTell(path, 'Path copied', path, 'Could not copy the path');

export function PathText({ path, className = '' }: { path: string; className?: string }): ReactElement {
  const tail = pathTail(path);
  const head = path.slice(0, path.length - tail.length);
  return (
    <span className={`path-text ${className}`} title={path} data-path={path}>
      <span className="path-text-value">
        <span className="path-text-head">{head}</span>
        <span className="path-text-tail">{tail}</span>
      </span>
      <button type="button" className="btn btn-icon btn-ghost btn-tiny path-text-copy" aria-label={`Copy path ${path}`} title="Copy the whole path" onClick={() => void copyPath(path)}>
        <CopyIcon />
      </button>
    </span>
  );
}

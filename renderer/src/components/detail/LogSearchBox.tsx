/** Search within the log: a field, "n of m", and previous/next (Enter, Shift+Enter). */
import type { ReactElement } from 'react';
import { formatCount } from '../../../../shared/format';
import { LOG_SEARCH_ID } from '../../store/actions/navigation';
import { ChevronDownIcon, ChevronUpIcon, SearchIcon } from '../common/icons';

interface LogSearchBoxProps {
  query: string;
  onQuery: (query: string) => void;
  total: number;
  /** Index of the current match, or -1. */
  current: number;
  onNext: () => void;
  onPrev: () => void;
  onEscape: () => void;
}

export function LogSearchBox({ query, onQuery, total, current, onNext, onPrev, onEscape }: LogSearchBoxProps): ReactElement {
  return (
    <div className="log-search" role="search" aria-label="Search the log">
      <SearchIcon className="log-search-icon" />
      <input
        id={LOG_SEARCH_ID}
        className="input log-search-input"
        type="search"
        placeholder="Find in log"
        aria-label="Find in log"
        value={query}
        onChange={(event) => onQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            if (event.shiftKey) onPrev();
            else onNext();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onQuery('');
            onEscape();
          }
        }}
      />
      {query ? (
        <>
          <span className="log-search-count" data-testid="log-search-count" aria-live="polite">
            {total === 0 ? 'no matches' : `${current >= 0 ? formatCount(current + 1) : '–'} of ${formatCount(total)}`}
          </span>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Previous match" onClick={onPrev} disabled={total === 0}>
            <ChevronUpIcon />
          </button>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Next match" onClick={onNext} disabled={total === 0}>
            <ChevronDownIcon />
          </button>
        </>
      ) : null}
    </div>
  );
}

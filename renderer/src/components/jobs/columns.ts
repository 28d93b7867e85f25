/**
 * The jobs table's columns: header text, the sort they offer and their width. Header and rows share
 * one grid template; narrow tables drop the least useful columns (JobTable.css container queries).
 */
import type { SortKey } from '../../lib/jobQuery';

export interface Column {
  key: SortKey;
  label: string;
  /** Spoken name of the sort button. */
  title: string;
  align?: 'right';
}

export const COLUMNS: readonly Column[] = [
  { key: 'id', label: '#', title: 'Job id' },
  { key: 'name', label: 'Name', title: 'Name' },
  { key: 'kind', label: 'Kind', title: 'Kind' },
  { key: 'destination', label: 'Destination', title: 'Destination' },
  { key: 'state', label: 'State', title: 'State' },
  { key: 'progress', label: 'Progress', title: 'Progress' },
  { key: 'speed', label: 'Speed', title: 'Speed', align: 'right' },
  { key: 'eta', label: 'ETA', title: 'Time left', align: 'right' },
  { key: 'size', label: 'Size', title: 'Size', align: 'right' },
  { key: 'created', label: 'Created', title: 'Created', align: 'right' },
];

/** Matches --row-height in base.css. */
export const ROW_HEIGHT = 34;

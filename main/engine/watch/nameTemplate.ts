/** Dataset names and metadata from a rule's templates (`{folder}`, `{file}`, `{date}`, `{rule}`). */
import type { DatasetMetadata } from '../../../shared/destinations';
import { invalidInput } from '../../../shared/errors';
import type { WatchMetadata } from '../../../shared/watch';

export interface NameContext {
  /** The dataset folder's name (dataset mode) or the watched folder's (files mode). */
  folder: string;
  /** The first file's name. */
  file: string;
  rule: string;
  now?: Date;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN = new Set(['folder', 'file', 'date', 'rule']);
const MAX_NAME = 200;

const localDate = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Throws INVALID_INPUT naming the first unknown placeholder (a typo such as `{fodler}`). */
export function checkTemplate(template: string, field: string): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(m[1]!)) throw invalidInput(`saveWatchRule: unknown placeholder {${m[1]}} in ${field}; use {folder}, {file}, {date} or {rule}`);
  }
}

export function renderTemplate(template: string, ctx: NameContext): string {
  const values: Record<string, string> = { folder: ctx.folder, file: ctx.file, rule: ctx.rule, date: localDate(ctx.now ?? new Date()) };
  return template.replace(PLACEHOLDER, (whole, key: string) => values[key] ?? whole);
}

/** A dataset name the upload accepts: no slashes or control characters, not empty, not '.' or '..'. */
export function datasetName(template: string, ctx: NameContext): string {
  const name = renderTemplate(template, ctx)
    .replace(/[/\\\u0000-\u001f]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME)
    .trim();
  if (name === '' || name === '.' || name === '..') return ctx.folder.replace(/[/\\]/g, '-') || 'watched';
  return name;
}

/** The metadata sent with an upload: the rule's, with placeholders filled in its text fields. */
export function renderMetadata(template: WatchMetadata, ctx: NameContext): DatasetMetadata {
  const { nameTemplate: _name, ...metadata } = template;
  return {
    ...metadata,
    folder: renderTemplate(metadata.folder, ctx).slice(0, 512),
    description: renderTemplate(metadata.description, ctx).slice(0, 4000),
  };
}

/**
 * A small glob matcher for rule filters. chokidar 4+ dropped globs, and node:path's matchesGlob is
 * still experimental on Node 20/22 (it warns at runtime), so rules compile their patterns here.
 *
 * Patterns match '/'-separated paths relative to the watched folder:
 * `*` any characters but '/', `?` one such character, `**` as a whole segment any number of
 * folders, `[a-z]` / `[!a-z]` a class, `{a,b}` alternatives, `\` escapes. A pattern with no '/'
 * matches a name at any depth (as in .gitignore); a leading '/' anchors it at the watched folder.
 */
import { invalidInput } from '../../../shared/errors';

export interface GlobOptions {
  nocase?: boolean;
}

const REGEX_SPECIAL = /[.+^${}()|[\]\\*?]/g;
const escapeRe = (s: string): string => s.replace(REGEX_SPECIAL, '\\$&');

/** Compiles one glob to an anchored RegExp; throws INVALID_INPUT for an unbalanced pattern. */
export function globToRegExp(pattern: string, options: GlobOptions = {}): RegExp {
  let p = pattern.trim();
  if (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('/')) p = p.slice(1);
  else if (!p.replace(/\/+$/, '').includes('/')) p = `**/${p}`;
  // A trailing slash means "this folder"; folders are matched by their path without it.
  p = p.replace(/\/+$/, '');
  if (p === '') throw invalidInput(`glob ${JSON.stringify(pattern)}: the pattern is empty`);
  const body = compile(p, pattern, false);
  try {
    return new RegExp(`^${body}$`, options.nocase ? 'i' : '');
  } catch (err) {
    // e.g. a class range out of order, `[z-a]`
    throw invalidInput(`glob ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

function compile(p: string, original: string, inBraces: boolean): string {
  let out = '';
  let i = 0;
  const atSegmentStart = () => i === 0 || p[i - 1] === '/';
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      if (i + 1 >= p.length) throw invalidInput(`glob ${JSON.stringify(original)}: ends with a lone backslash`);
      out += escapeRe(p[i + 1]!);
      i += 2;
    } else if (c === '*' && p[i + 1] === '*' && atSegmentStart() && (i + 2 === p.length || p[i + 2] === '/')) {
      if (i + 2 === p.length) {
        // Trailing `**`: everything below, and (for `dir/**`) the folder itself.
        if (out.endsWith('/')) out = `${out.slice(0, -1)}(?:/.*)?`;
        else out += '.*';
        i += 2;
      } else {
        out += '(?:[^/]*/)*';
        i += 3;
      }
    } else if (c === '*') {
      out += '[^/]*';
      i += 1;
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) throw invalidInput(`glob ${JSON.stringify(original)}: '[' without ']'`);
      let cls = p.slice(i + 1, end);
      const negate = cls.startsWith('!') || cls.startsWith('^');
      if (negate) cls = cls.slice(1);
      out += `[${negate ? '^/' : ''}${cls.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end + 1;
    } else if (c === '{') {
      const end = matchingBrace(p, i);
      if (end < 0) throw invalidInput(`glob ${JSON.stringify(original)}: '{' without '}'`);
      const alternatives = splitTopLevel(p.slice(i + 1, end)).map((alt) => compile(alt, original, true));
      out += `(?:${alternatives.join('|')})`;
      i = end + 1;
    } else if (c === '}' && !inBraces) {
      throw invalidInput(`glob ${JSON.stringify(original)}: '}' without '{'`);
    } else {
      out += escapeRe(c);
      i += 1;
    }
  }
  return out;
}

function matchingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '{') depth++;
    else if (p[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Names compare without case where the file system usually ignores it. */
export const PLATFORM_NOCASE = process.platform === 'win32' || process.platform === 'darwin';

export interface FilterOptions extends GlobOptions {
  /** Files taken whatever the lists say (a dataset's marker file). */
  always?: (rel: string) => boolean;
  /** Folders never entered whatever the lists say. */
  never?: readonly string[];
}

/** A rule's include and exclude lists, compiled once. Paths are relative, '/'-separated. */
export class PathFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly always: (rel: string) => boolean;
  private readonly never: readonly string[];

  constructor(include: readonly string[], exclude: readonly string[], options: FilterOptions = {}) {
    const globOptions = { nocase: options.nocase ?? PLATFORM_NOCASE };
    this.include = include.map((g) => globToRegExp(g, globOptions));
    this.exclude = exclude.map((g) => globToRegExp(g, globOptions));
    this.always = options.always ?? (() => false);
    this.never = options.never ?? [];
  }

  /** A folder matched by an exclude pattern is not entered (nor watched). */
  skipsDir(rel: string): boolean {
    return rel !== '' && (this.never.includes(rel) || this.exclude.some((re) => re.test(rel)));
  }

  /** A file is taken when an include pattern matches and no exclude pattern matches it or a folder above it. */
  takesFile(rel: string): boolean {
    for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
      if (this.skipsDir(rel.slice(0, i))) return false;
    }
    if (this.always(rel)) return true;
    return this.include.some((re) => re.test(rel)) && !this.exclude.some((re) => re.test(rel));
  }
}

/** A local path as breadcrumbs: the root, then each folder down to the path itself. */
export interface Crumb {
  name: string;
  path: string;
}

export function pathCrumbs(path: string): Crumb[] {
  const windows = /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
  const sep = windows ? '\\' : '/';
  const parts = path.split(/[\\/]/).filter(Boolean);
  if (!windows) {
    const crumbs: Crumb[] = [{ name: '/', path: '/' }];
    let acc = '';
    for (const part of parts) {
      acc += `/${part}`;
      crumbs.push({ name: part, path: acc });
    }
    return crumbs;
  }
  const [drive, ...rest] = parts;
  if (!drive) return [];
  let acc = `${drive}${sep}`;
  const crumbs: Crumb[] = [{ name: drive, path: acc }];
  for (const part of rest) {
    acc = acc.endsWith(sep) ? acc + part : `${acc}${sep}${part}`;
    crumbs.push({ name: part, path: acc });
  }
  return crumbs;
}

/**
 * Is a folder on a network file system? Native change events do not see what other machines write
 * to NFS, SMB or most FUSE mounts, so a rule in `auto` mode polls those. Linux answers through
 * statfs's type magic; macOS through `mount`; Windows only through UNC paths (best effort).
 */
import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import { sep } from 'node:path';

export interface FsKind {
  /** The file system's name when known (`nfs`, `cifs`, `fuse.sshfs`, `ext4`, ...). */
  fsType: string | null;
  network: boolean;
}

/** statfs(2) f_type values of network (or remote-backed) file systems on Linux. */
const NETWORK_MAGIC: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'],
  [0x517b, 'smb'],
  [0xff534d42, 'cifs'],
  [0xfe534d42, 'smb2'],
  [0x5346414f, 'afs'],
  [0x6b414653, 'afs'],
  [0x73757245, 'coda'],
  [0x564c, 'ncp'],
  [0x01021997, '9p'],
  [0x00c36400, 'ceph'],
  [0x01161970, 'gfs2'],
  [0x7461636f, 'ocfs2'],
  [0x0bd00bd0, 'lustre'],
  [0x47504653, 'gpfs'],
  [0x786f4256, 'vboxsf'],
]);
const FUSE_MAGIC = 0x65735546;
/** A few common local ones, so the type shows in the status. */
const LOCAL_MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x2fc12fc1, 'zfs'],
  [0x794c7630, 'overlay'],
  [0x4d44, 'vfat'],
  [0x5346544e, 'ntfs'],
  [0xf2f52010, 'f2fs'],
]);

/** FUSE file systems that are really local disks; every other FUSE mount counts as network. */
const LOCAL_FUSE = new Set(['fuseblk', 'fuse.ntfs-3g', 'fuse.ntfs', 'fuse.exfat', 'fuse.exfat-fuse', 'fuse.lxcfs', 'fuse.portal']);
const NETWORK_TYPES = new Set([
  'nfs', 'nfs4', 'cifs', 'smb', 'smb2', 'smb3', 'smbfs', 'afpfs', 'webdav', 'davfs', 'ncpfs', '9p', 'ceph', 'glusterfs',
  'lustre', 'gpfs', 'afs', 'coda', 'sshfs', 'vboxsf', 'prl_fs', 'vmhgfs', 'gfs2', 'ocfs2',
]);

/** Whether a file system type name (from statfs, /proc/mounts or `mount`) is a network one. */
export function isNetworkType(fsType: string): boolean {
  const t = fsType.toLowerCase();
  if (NETWORK_TYPES.has(t)) return true;
  if (t === 'fuse' || t.startsWith('fuse.') || t.startsWith('osxfuse') || t.startsWith('macfuse')) return !LOCAL_FUSE.has(t);
  return false;
}

/** Names a statfs type magic; `undefined` when it is not one we know. */
export function classifyMagic(type: number): FsKind | undefined {
  const magic = type >>> 0;
  const net = NETWORK_MAGIC.get(magic);
  if (net) return { fsType: net, network: true };
  if (magic === FUSE_MAGIC) return { fsType: 'fuse', network: true };
  const local = LOCAL_MAGIC.get(magic);
  return local ? { fsType: local, network: false } : undefined;
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
}

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses /proc/mounts (`device mountpoint type options 0 0`, spaces escaped as \040). */
export function parseProcMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length >= 3 && f[1] && f[2]) out.push({ mountPoint: unescapeMount(f[1]), fsType: f[2] });
  }
  return out;
}

/** Parses `mount` output: macOS/BSD `dev on /path (type, opts)` or Linux `dev on /path type t (opts)`. */
export function parseMountOutput(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const linux = /^.+? on (.+) type (\S+) \(.*\)$/.exec(line);
    if (linux) {
      out.push({ mountPoint: linux[1]!, fsType: linux[2]! });
      continue;
    }
    const bsd = /^.+? on (.+) \(([^,)]+)[,)]/.exec(line);
    if (bsd) out.push({ mountPoint: bsd[1]!, fsType: bsd[2]!.trim() });
  }
  return out;
}

/** The mount that holds `path`: the longest mount point that is `path` or a folder above it. */
export function mountFor(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint.endsWith(sep) && m.mountPoint.length > 1 ? m.mountPoint.slice(0, -1) : m.mountPoint;
    const inside = path === mp || path.startsWith(mp === sep ? sep : mp + sep);
    if (inside && (!best || mp.length > best.mountPoint.length)) best = { ...m, mountPoint: mp };
  }
  return best;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 3000, maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** Identifies the file system of a folder. Never throws: unknown means local, so native events are tried. */
export async function detectFsKind(path: string): Promise<FsKind> {
  try {
    if (process.platform === 'win32') {
      return /^(\\\\|\/\/)[^\\/]/.test(path) ? { fsType: 'unc', network: true } : { fsType: null, network: false };
    }
    if (process.platform === 'linux') {
      const info = await statfs(path);
      const kind = classifyMagic(info.type);
      if (kind?.fsType === 'fuse') {
        // FUSE carries sshfs and rclone as well as local ntfs-3g: the mount table says which.
        const entry = mountFor(path, parseProcMounts(await readFile('/proc/self/mounts', 'utf8').catch(() => '')));
        if (entry) return { fsType: entry.fsType, network: isNetworkType(entry.fsType) };
      }
      if (kind) return kind;
      const entry = mountFor(path, parseProcMounts(await readFile('/proc/self/mounts', 'utf8').catch(() => '')));
      return entry ? { fsType: entry.fsType, network: isNetworkType(entry.fsType) } : { fsType: null, network: false };
    }
    const entry = mountFor(path, parseMountOutput(await run('mount', [])));
    return entry ? { fsType: entry.fsType, network: isNetworkType(entry.fsType) } : { fsType: null, network: false };
  } catch {
    return { fsType: null, network: false };
  }
}

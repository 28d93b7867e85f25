import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { classifyMagic, detectFsKind, isNetworkType, mountFor, parseMountOutput, parseProcMounts } from '../../../main/engine/watch/networkFs';

describe('network folder detection', () => {
  it('knows the statfs magic numbers of network file systems', () => {
    expect(classifyMagic(0x6969)).toEqual({ fsType: 'nfs', network: true });
    expect(classifyMagic(0xff534d42)).toEqual({ fsType: 'cifs', network: true });
    expect(classifyMagic(0xfe534d42)).toEqual({ fsType: 'smb2', network: true });
    expect(classifyMagic(0x65735546)).toEqual({ fsType: 'fuse', network: true });
    expect(classifyMagic(0xef53)).toEqual({ fsType: 'ext4', network: false });
    expect(classifyMagic(0x12345678)).toBeUndefined();
  });

  it('reads Linux and macOS mount tables and picks the deepest mount', () => {
    const linux = parseProcMounts(
      ['/dev/sda1 / ext4 rw 0 0', 'nas:/export /mnt/nas nfs4 rw 0 0', 'me@host:/srv /mnt/my\\040share fuse.sshfs rw 0 0', '/dev/sdb1 /mnt/usb fuseblk rw 0 0'].join('\n'),
    );
    expect(mountFor('/mnt/nas/runs/1', linux)).toEqual({ mountPoint: '/mnt/nas', fsType: 'nfs4' });
    expect(mountFor('/mnt/my share/x', linux)).toEqual({ mountPoint: '/mnt/my share', fsType: 'fuse.sshfs' });
    expect(mountFor('/mnt/nasty', linux)).toEqual({ mountPoint: '/', fsType: 'ext4' });
    const mac = parseMountOutput(
      ['/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)', '//lab@files.example.org/data on /Volumes/data (smbfs, nodev, nosuid, mounted by lab)'].join('\n'),
    );
    expect(mountFor('/Volumes/data/run', mac)).toEqual({ mountPoint: '/Volumes/data', fsType: 'smbfs' });
    expect(isNetworkType('smbfs')).toBe(true);
    expect(isNetworkType('fuse.sshfs')).toBe(true);
    expect(isNetworkType('fuseblk')).toBe(false);
    expect(isNetworkType('apfs')).toBe(false);
    expect(parseMountOutput('server:/x on /net/x type nfs (rw,relatime)')).toEqual([{ mountPoint: '/net/x', fsType: 'nfs' }]);
  });

  it('calls the temporary folder local', async () => {
    expect((await detectFsKind(tmpdir())).network).toBe(false);
  });
});
